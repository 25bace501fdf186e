#include "progressbar.h"

#include "cli.h"

#include <algorithm>
#include <cstdio>
#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

namespace bw::cli {

bool isTerminal(std::FILE *stream)
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stream));
#else
    return isatty(fileno(stream));
#endif
}

ProgressBar::ProgressBar(bool terminalOnly)
    : m_terminal(isTerminal(stderr))
    , m_silent(terminalOnly && !m_terminal)
{
    m_wall.start();
}

bool ProgressBar::due() const
{
    return !m_silent && m_wall.elapsed() - m_drawn >= (m_terminal ? 200 : 1000);
}

void ProgressBar::draw(double fraction, const QString &detail, bool final)
{
    if (m_silent || (!final && !due()))
        return;
    m_drawn = m_wall.elapsed();
    constexpr int Width = 30;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int filled = int(fraction * Width);
    const QString line = QStringLiteral("[") + QString(filled, u'#') + QString(Width - filled, u'-')
        + QStringLiteral("] ") + QString::number(int(fraction * 100)).rightJustified(3) + QStringLiteral("%  ")
        + detail;
    if (m_terminal)
        printErr(u'\r' + line + QStringLiteral("\x1b[K") + (final ? QStringLiteral("\n") : QString()));
    else
        printErr(line + u'\n');
}

} // namespace bw::cli
