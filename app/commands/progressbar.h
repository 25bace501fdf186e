#pragma once

#include <QElapsedTimer>
#include <QString>

#include <cstdio>

namespace bw::cli {

// Whether `stream` (stdout, stderr) is a terminal rather than a file or a pipe.
bool isTerminal(std::FILE *stream);

// A one-line progress bar on stderr: "[#########---------------------]  30%  DETAIL". On a
// terminal it redraws in place, at most five times a second; elsewhere (a log file, CI) it
// writes a plain line at most once a second, so the log stays readable, or nothing at all when
// made `terminalOnly`.
class ProgressBar
{
public:
    explicit ProgressBar(bool terminalOnly = false);

    // Draws `fraction` (0..1) and `detail`, unless the last draw is too recent (the first waits
    // too: a job that ends within it shows only the final line); `final` always draws, and ends
    // the line.
    void draw(double fraction, const QString &detail, bool final = false);
    // Whether draw() would draw now: a caller skips working out a detail nobody sees.
    bool due() const;
    // Wall time since the bar was made.
    qint64 elapsedMs() const { return m_wall.elapsed(); }

private:
    bool m_terminal;
    bool m_silent;
    QElapsedTimer m_wall;
    qint64 m_drawn = 0;
};

} // namespace bw::cli
