#pragma once

#include <QByteArray>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace bw::test {

// Reading a report page (docs/formats.md, "Report (HTML)") back in tests.

// Every place where the page would make a browser fetch something: empty for a self-contained page.
inline QStringList externalReferences(const QByteArray &html)
{
    static const QRegularExpression fetch(QStringLiteral("(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)|@import|url\\(\\s*[\"']?\\s*(https?:|//)"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList found;
    for (auto it = fetch.globalMatch(QString::fromUtf8(html)); it.hasNext();)
        found << it.next().captured(0);
    return found;
}

inline QString unescapeHtml(QString text)
{
    text.replace(QStringLiteral("&lt;"), QStringLiteral("<"));
    text.replace(QStringLiteral("&gt;"), QStringLiteral(">"));
    text.replace(QStringLiteral("&quot;"), QStringLiteral("\""));
    text.replace(QStringLiteral("&#39;"), QStringLiteral("'"));
    text.replace(QStringLiteral("&amp;"), QStringLiteral("&"));
    return text;
}

// The first preformatted block after the heading `heading`, unescaped; empty when there is none.
inline QString codeAfter(const QByteArray &html, const QString &heading)
{
    const QString page = QString::fromUtf8(html);
    const qsizetype at = page.indexOf(heading);
    const qsizetype from = at < 0 ? -1 : page.indexOf(QStringLiteral("<pre>"), at);
    const qsizetype to = from < 0 ? -1 : page.indexOf(QStringLiteral("</pre>"), from);
    return to < 0 ? QString() : unescapeHtml(page.mid(from + 5, to - from - 5));
}

// The words of a POSIX shell line that quotes with single quotes only ('it'\''s').
inline QStringList shellWords(const QString &line)
{
    QStringList words;
    QString word;
    bool inWord = false, quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == u'\'')
                quoted = false;
            else
                word += c;
        } else if (c == u'\'') {
            quoted = inWord = true;
        } else if (c == u'\\' && i + 1 < line.size()) {
            word += line.at(++i);
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

// The command line of the page's "Reproduce" section, as words.
inline QStringList reproducingCommand(const QByteArray &html)
{
    return shellWords(codeAfter(html, QStringLiteral("<h2>Reproduce</h2>")));
}

} // namespace bw::test
