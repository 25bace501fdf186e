// The control vocabulary: one name table, one JSON form, one description. Every command goes to
// JSON and back unchanged, every name in the table reads back as that command, and the control
// events a run writes are the bytes docs/formats.md shows.
#include "resilience/policywriter.h"
#include "run/controlcommand.h"
#include "run/scenariorun.h"
#include "scenario/scenarioloader.h"
#include "telemetry/eventlog.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QTest>

using namespace bw;
using namespace ControlCommands;

namespace {

FaultConfig fault(FaultKind kind)
{
    FaultConfig f;
    f.service = QStringLiteral("payments");
    f.kind = kind;
    f.rate = 0.25;
    f.code = QStringLiteral("503");
    f.add = fromMs(800.5);
    f.jitter = fromMs(1.044444);
    f.rps = 12.5;
    f.retryAfter = fromMs(2000);
    f.up = fromMs(3000);
    f.down = fromMs(1500);
    f.capacity = 7;
    return f;
}

// At least one command of every action, and of every fault kind.
QList<ControlCommand> samples()
{
    PolicyConfig policy = ResiliencePolicies::critical();
    policy.name = QStringLiteral("checkout");
    QList<ControlCommand> all {
        { UpdatePolicy { QStringLiteral("checkout"), policy, {} } },
        { ResizeBulkhead { QStringLiteral("checkout"), 3, 9 } },
        { ClearFaults { QStringLiteral("payments"), std::nullopt } },
        { ClearFaults { QStringLiteral("payments"), FaultKind::Latency } },
        { SetArrivalRate { QStringLiteral("checkout"), 42.5 } },
        { InjectFault { fault(FaultKind::Outage), Duration::max() } },
    };
    for (int i = 0; i < BreakerActionCount; ++i)
        all.append({ Breaker { QStringLiteral("checkout"), BreakerAction(i) } });
    for (FaultKind kind : { FaultKind::Errors, FaultKind::Latency, FaultKind::Hang, FaultKind::RateLimit,
             FaultKind::Flapping, FaultKind::Brownout })
        all.append({ InjectFault { fault(kind), fromMs(5000.125) } });
    return all;
}

ScenarioConfig scenario()
{
    LoadError error;
    std::optional<ScenarioConfig> s = loadScenario(QStringLiteral("outage-and-recovery"), &error);
    Q_ASSERT(s);
    return *s;
}

} // namespace

class TestControlCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The table names every action once, and every command's action is in it.
    void nameTableCoversEveryCommand()
    {
        const QStringList names = ControlCommand::actionNames();
        QCOMPARE(QSet<QString>(names.begin(), names.end()).size(), names.size());
        QSet<QString> used;
        for (const ControlCommand &c : samples()) {
            QVERIFY2(names.contains(c.action()), qPrintable(c.action()));
            used.insert(c.action());
        }
        QCOMPARE(used, QSet<QString>(names.begin(), names.end()));
    }

    void roundTrip_data()
    {
        QTest::addColumn<ControlCommand>("command");
        for (const ControlCommand &c : samples())
            QTest::addRow("%s", qPrintable(c.describe())) << c;
    }
    // Command → JSON → command gives the same command: the same JSON, description and type.
    void roundTrip()
    {
        QFETCH(ControlCommand, command);
        const QJsonObject json = command.toJson();
        QCOMPARE(json.value(u"action").toString(), command.action());
        QCOMPARE(json.value(u"target").toString(), command.target());
        LoadError error;
        const std::optional<ControlCommand> back = ControlCommand::fromJson(json, &error);
        QVERIFY2(back, qPrintable(error.toString()));
        QCOMPARE(back->command.index(), command.command.index());
        QCOMPARE(back->toJson(), json);
        QCOMPARE(back->describe(), command.describe());
        if (const auto *inject = std::get_if<InjectFault>(&command.command)) {
            const auto &read = std::get<InjectFault>(back->command);
            QCOMPARE(read.length, inject->length);
            QCOMPARE(faultParameters(read.fault), faultParameters(inject->fault));
        }
    }

    // The breaker actions' names are the names of the state changes they cause.
    void breakerActionNames()
    {
        for (int i = 0; i < BreakerActionCount; ++i) {
            const BreakerAction action = BreakerAction(i);
            QCOMPARE(breakerActionFromName(QString(breakerActionName(action))), std::optional(action));
            QCOMPARE(transitionReasonName(transitionReason(action)), breakerActionName(action));
        }
        QVERIFY(!breakerActionFromName(u"forceopen"));
    }

    void timedCommandReadsItsTime()
    {
        QJsonObject event = ControlCommand { SetArrivalRate { QStringLiteral("checkout"), 5 } }.toJson();
        event.insert(QStringLiteral("t_ms"), 1234.5);
        LoadError error;
        const std::optional<TimedCommand> timed = TimedCommand::fromJson(event, &error);
        QVERIFY2(timed, qPrintable(error.toString()));
        QCOMPARE(timed->at, fromMs(1234.5));
        QCOMPARE(timed->command.describe(), QStringLiteral("setArrivalRate checkout 5/s"));
    }

    // The parts of a description, as the event log shows them.
    void descriptions_data()
    {
        QTest::addColumn<ControlCommand>("command");
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QString>("text");
        QTest::addRow("policy") << ControlCommand { UpdatePolicy { QStringLiteral("checkout"), {}, QStringLiteral("timeout 800 → 500") } }
                                << QStringLiteral("checkout") << QStringLiteral("updatePolicy checkout: timeout 800 → 500");
        QTest::addRow("breaker") << ControlCommand { Breaker { QStringLiteral("checkout"), BreakerAction::HoldOpen } }
                                 << QStringLiteral("checkout") << QStringLiteral("holdOpen checkout");
        QTest::addRow("bulkhead") << ControlCommand { ResizeBulkhead { QStringLiteral("checkout"), 2, 1 } }
                                  << QStringLiteral("checkout 2/1") << QStringLiteral("resizeBulkhead checkout 2/1");
        QTest::addRow("inject") << ControlCommand { InjectFault { fault(FaultKind::Outage), Duration::max() } }
                                << QStringLiteral("payments (outage)") << QStringLiteral("injectFault payments (outage)");
        QTest::addRow("clear all") << ControlCommand { ClearFaults { QStringLiteral("payments"), std::nullopt } }
                                   << QStringLiteral("payments") << QStringLiteral("clearFaults payments");
        QTest::addRow("rate") << ControlCommand { SetArrivalRate { QStringLiteral("checkout"), 100 } }
                              << QStringLiteral("checkout 100/s") << QStringLiteral("setArrivalRate checkout 100/s");
    }
    void descriptions()
    {
        QFETCH(ControlCommand, command);
        QFETCH(QString, subject);
        QFETCH(QString, text);
        QCOMPARE(command.description().subject, subject);
        QCOMPARE(command.describe(), text);
    }

    // The control events a run writes: action and target first, then the command's own fields
    // in key order (docs/formats.md, "Control events").
    void controlEventBytes()
    {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        EventLog log;
        log.open(&buffer);
        {
            ScenarioRun sim(scenario());
            sim.setEventLog(&log);
            PolicyConfig withBulkhead = sim.scenario().operations.first().policy;
            withBulkhead.bulkhead = BulkheadConfig {};
            FaultConfig latency = fault(FaultKind::Latency);
            latency.add = fromMs(800);
            latency.jitter = {};
            for (const ControlCommand &c : QList<ControlCommand> {
                     { UpdatePolicy { QStringLiteral("checkout"), withBulkhead, QStringLiteral("not written") } },
                     { Breaker { QStringLiteral("checkout"), BreakerAction::ForceOpen } },
                     { ResizeBulkhead { QStringLiteral("checkout"), 2, 1 } },
                     { InjectFault { latency, fromMs(5000) } },
                     { ClearFaults { QStringLiteral("payments"), std::nullopt } },
                     { SetArrivalRate { QStringLiteral("checkout"), 100 } },
                     { Breaker { QStringLiteral("nobody"), BreakerAction::Reset } } }) {
                sim.advanceTo(sim.now() + fromMs(1000));
                sim.apply(c);
            }
            QVERIFY(log.finish());
        }
        QList<QByteArray> controls;
        for (const QByteArray &line : bytes.split('\n'))
            if (line.contains("\"type\":\"control\""))
                controls.append(line);
        // The whole policy, named after the operation, so that the edit can be replayed.
        QVERIFY(!controls.isEmpty());
        const QByteArray policy = controls.takeFirst();
        QVERIFY2(policy.startsWith(R"({"t_ms":1000,"type":"control","action":"updatePolicy","target":"checkout","policy":{)"),
            policy.constData());
        PolicyConfig named = scenario().operations.first().policy;
        named.bulkhead = BulkheadConfig {};
        named.name = QStringLiteral("checkout");
        QCOMPARE(QJsonDocument::fromJson(policy).object().value(u"policy").toObject(), policyToJson(named));
        const QList<QByteArray> expected {
            R"({"t_ms":2000,"type":"control","action":"forceOpen","target":"checkout"})",
            R"({"t_ms":3000,"type":"control","action":"resizeBulkhead","target":"checkout","maxConcurrent":2,"maxQueueSize":1})",
            R"({"t_ms":4000,"type":"control","action":"injectFault","target":"payments","addMs":800,"durationMs":5000,"fault":"latency","jitterMs":0})",
            R"({"t_ms":5000,"type":"control","action":"clearFaults","target":"payments","fault":null})",
            R"({"t_ms":6000,"type":"control","action":"setArrivalRate","target":"checkout","rate":100})",
        };
        QCOMPARE(controls.join('\n'), expected.join('\n')); // the refused one (no such operation) writes nothing
    }
};

QTEST_GUILESS_MAIN(TestControlCommand)
#include "tst_controlcommand.moc"
