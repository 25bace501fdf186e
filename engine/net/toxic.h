#pragma once

#include "../resilience/loaderror.h"
#include "../runtime/duration.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace bw {

// One of Toxiproxy's toxics, as the proxy's API reads and writes it:
//   {"name": "slow", "type": "latency", "stream": "downstream", "toxicity": 1.0,
//    "attributes": {"latency": 100, "jitter": 10}}
// Types and attributes (Toxiproxy's names and units):
//   latency     latency (ms), jitter (ms): each chunk waits latency ± jitter
//   bandwidth   rate (KB/s, a KB is 1,000 bytes): data flows at most that fast; a faster
//               sender is held back by TCP (the proxy stops reading), not buffered
//   slow_close  delay (ms): the close is passed on that much later
//   timeout     timeout (ms): data stops; the connection closes once no data came for that long,
//               timed from the toxic's start and again from each piece (0: never); removing
//               the toxic closes the connections it held
//   reset_peer  timeout (ms): the first data on the stream starts the timer and is dropped; the
//               connection is reset (RST) when it runs out (0: at once). Removed or changed,
//               the toxic's pending reset is off
//   slicer      average_size, size_variation (bytes), delay (µs): data goes in small pieces
//   limit_data  bytes: the connection closes once that many bytes went through
// A toxic acts on one direction ("upstream": client to server, "downstream": server to client)
// of a share of connections (toxicity: the chance that a connection is affected).
struct Toxic
{
    enum class Type : std::uint8_t
    {
        Latency,
        Bandwidth,
        SlowClose,
        Timeout,
        ResetPeer,
        Slicer,
        LimitData
    };
    enum class Stream : std::uint8_t
    {
        Upstream,
        Downstream
    };

    QString name;
    Type type = Type::Latency;
    Stream stream = Stream::Downstream;
    double toxicity = 1.0;
    Duration latency {}, jitter {}; // latency
    double rateKBps = 0; // bandwidth (> 0)
    Duration delay {}; // slow_close; slicer (µs in the JSON)
    Duration timeout {}; // timeout, reset_peer
    int averageSize = 0, sizeVariation = 0; // slicer
    qint64 bytes = 0; // limit_data

    static QStringList typeNames();
    static QString typeName(Type type);
    // The attribute keys of a type, in Toxiproxy's order.
    static QStringList attributeKeys(Type type);

    // Reads a toxic from the API's JSON. Without `base` it is a new toxic: "type" is required
    // and the name defaults to "<type>_<stream>". With `base` it is an update: keys absent keep
    // base's values, and the type cannot change. A bad body fills *error (key, what was
    // expected, the nearest valid key).
    static std::optional<Toxic> fromJson(
        const QByteArray &json, LoadError *error, const Toxic *base = nullptr);
    QJsonObject toJson() const;

    friend bool operator==(const Toxic &, const Toxic &) = default;
};

} // namespace bw
