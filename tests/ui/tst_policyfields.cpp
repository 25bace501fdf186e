// The Policy dock's tables (policyfields.h), without a window: every field reads and writes the
// setting its path names and nothing else, reads back what it wrote, stays within the loaders'
// limits, and every section switches its stage on and off.
#include "policyfields.h"

#include "resilience/limits.h"
#include "resilience/policywriter.h"

#include <QTest>

using namespace bw;

namespace {

// Every stage on, the retry budget and quota too, so that every field has something to write to.
PolicyConfig everyStage()
{
    PolicyConfig p;
    p.circuitBreaker.emplace();
    p.retry.emplace();
    p.retry->budget.emplace();
    p.retry->quota.emplace();
    p.rateLimiter.emplace();
    p.hedging.emplace();
    p.adaptiveThrottle.emplace();
    p.concurrencyLimit.emplace();
    p.timeout.emplace();
    p.bulkhead.emplace();
    p.fallback.emplace();
    p.fallback->value = QStringLiteral("cached");
    return p;
}

// everyStage() with the concurrency-limit algorithm whose setting `f` is, if it is one.
PolicyConfig applicableTo(const PolicyField &f)
{
    PolicyConfig p = everyStage();
    for (LimitAlgorithm a : { LimitAlgorithm::Gradient2, LimitAlgorithm::Aimd, LimitAlgorithm::Vegas }) {
        p.concurrencyLimit = ConcurrencyLimitConfig::defaultsFor(a);
        if (!f.applies || f.applies(p))
            return p;
    }
    return everyStage();
}

const PolicyField &fieldAt(const QString &key)
{
    for (const PolicyField &f : policyFields())
        if (f.key == key)
            return f;
    qFatal("no field %s", qPrintable(key));
}

// A value the field's control could show that differs from `value`.
QVariant another(const PolicyField &f, const QVariant &value)
{
    switch (f.control) {
    case PolicyField::Control::Integer:
    case PolicyField::Control::Decimal:
        return value.toDouble() + 1 <= f.max ? value.toDouble() + 1 : value.toDouble() - 1;
    case PolicyField::Control::Flag:
        return !value.toBool();
    case PolicyField::Control::Choice:
        for (const auto &[text, choice] : f.choices)
            if (choice != value.toInt())
                return choice;
        break;
    case PolicyField::Control::Text:
        return value.toString() + QStringLiteral("x");
    }
    return {};
}

} // namespace

class TestPolicyFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachField_data()
    {
        QTest::addColumn<QString>("key");
        for (const PolicyField &f : policyFields())
            QTest::addRow("%s", qPrintable(f.key)) << f.key;
    }

    // A changed value changes exactly the setting the path names, and reads back as written.
    void eachField()
    {
        QFETCH(QString, key);
        const PolicyField &f = fieldAt(key);
        QVERIFY(f.get && f.set);
        const PolicyConfig before = applicableTo(f);
        const QVariant value = another(f, f.get(before));
        QVERIFY(value.isValid());
        PolicyConfig after = before;
        f.set(after, value, before);
        const QStringList changes = policyChanges(before, after);
        // The algorithm also changes which of its section's keys are written: those follow it.
        const bool selectsKeys = f.path == u"concurrencyLimit.algorithm";
        QVERIFY2(changes.size() == 1 || (selectsKeys && !changes.isEmpty()), qPrintable(changes.join(QStringLiteral("; "))));
        QVERIFY2(changes.first().startsWith(f.path + u' '), qPrintable(changes.first()));
        if (f.control == PolicyField::Control::Integer || f.control == PolicyField::Control::Decimal)
            QCOMPARE(f.get(after).toDouble(), value.toDouble());
        else
            QCOMPARE(f.get(after), value);

        // What it reads, written back, changes nothing.
        PolicyConfig same = before;
        f.set(same, f.get(before), before);
        QCOMPARE(policyChanges(before, same), QStringList());
    }

    void fieldsBelongToASection()
    {
        QStringList sections;
        for (const PolicySection &s : policySections())
            sections.append(s.key);
        QStringList keys;
        for (const PolicyField &f : policyFields()) {
            QVERIFY2(sections.contains(f.section()), qPrintable(f.path));
            QVERIFY2(!keys.contains(f.key), qPrintable(f.key)); // object names are unique
            keys.append(f.key);
            QVERIFY2(!f.tip.isEmpty() && !f.label.isEmpty(), qPrintable(f.key));
            if (f.control == PolicyField::Control::Integer || f.control == PolicyField::Control::Decimal) {
                QVERIFY2(f.min < f.max, qPrintable(f.key));
                QVERIFY2(
                    f.max <= std::max<double>(Limits::MaxDurationMs, Limits::MaxCount), qPrintable(f.key));
            }
        }
    }

    void sectionsSwitchTheirStage()
    {
        for (const PolicySection &s : policySections()) {
            PolicyConfig off = everyStage();
            s.setOn(off, false);
            QVERIFY(!s.isOn(off));
            QCOMPARE(policyChanges(everyStage(), off), QStringList { s.key + QStringLiteral(" off") });
            PolicyConfig on = off;
            s.setOn(on, true);
            QVERIFY(s.isOn(on));
            // On again: the stage's defaults.
            QCOMPARE(policyChanges(off, on), QStringList { s.key + QStringLiteral(" on") });
            // On when on: kept as it was.
            PolicyConfig kept = everyStage();
            s.setOn(kept, true);
            QCOMPARE(policyChanges(everyStage(), kept), QStringList());
        }
    }

    // An unchanged fallback text keeps the value's type: a number stays a number.
    void fallbackTextKeepsItsType()
    {
        const PolicyField &f = fieldAt(QStringLiteral("fallbackValue"));
        PolicyConfig held = everyStage();
        held.fallback->value = 42;
        PolicyConfig p = held;
        f.set(p, QStringLiteral("42"), held);
        QCOMPARE(p.fallback->value.typeId(), QMetaType::Int);
        f.set(p, QStringLiteral("43"), held);
        QCOMPARE(p.fallback->value, QVariant(QStringLiteral("43")));
    }
};

QTEST_GUILESS_MAIN(TestPolicyFields)
#include "tst_policyfields.moc"
