#pragma once

#include <QString>
#include <QStringList>

#include <optional>

class QSettings;

namespace bw {

// What the window's Fleet mode watches (File > Connect…, or --prometheus / --hystrix on the
// window's command line): a Prometheus server, Hystrix streams, how to authenticate, how often to
// refresh. The bearer token itself is never kept here nor in the settings: only where to read it
// (an environment variable's name or a file's path), read again at each connection.
struct FleetConnection
{
    static constexpr int DefaultRefreshSeconds = 5;
    static constexpr int MaxRefreshSeconds = 3600;

    QString prometheus; // the server's base URL; empty: none
    QStringList hystrix; // stream URLs
    QString tokenVariable; // an environment variable holding the bearer token; empty: none
    QString tokenFile; // a file holding it (surrounding white space dropped); empty: none
    int refreshSeconds = DefaultRefreshSeconds;

    bool isEmpty() const { return prometheus.isEmpty() && hystrix.isEmpty(); }
    // Every URL http or https with a host, at most one token source, the interval 1..MaxRefreshSeconds;
    // false and the first problem ("Hystrix stream 2: expected an http or https URL, got 'x'").
    bool check(QString *error) const;
    // The token from its variable or file; "" when none is asked for; nullopt and the reason when
    // the variable is unset or empty, or the file cannot be read or is empty.
    std::optional<QString> bearerToken(QString *error) const;

    // The last connection, from and to the app's settings ("fleet/…"): URLs, the token's variable
    // or file and the interval, never a token.
    static FleetConnection load(const QSettings &settings);
    void save(QSettings &settings) const;

    friend bool operator==(const FleetConnection &, const FleetConnection &) = default;
};

} // namespace bw
