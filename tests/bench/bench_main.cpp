#include <QCoreApplication>

#include <benchmark/benchmark.h>

// Wall-clock benchmarks set timers through a WallScheduler, whose QTimer needs an application.
int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
