#pragma once

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <type_traits>

// Runs work off the main thread and hands the result back on it, dropping results that a newer
// job made stale (the user selected another exchange meanwhile).
//
//   m_job.run(this, [bytes] { return prettyJson(bytes); }, [this](const QString& text) { ... });
//
// Only values cross threads: the work lambda must capture by value.
class AsyncJob
{
public:
    template<typename Work, typename Done>
    void run(QObject* context, Work work, Done done)
    {
        using Result = std::invoke_result_t<Work>;
        const quint64 id = ++m_latest;
        QPointer<QObject> guard(context);
        QtConcurrent::run(std::move(work)).then(context, [this, id, guard, done = std::move(done)](Result result) {
            if (guard && id == m_latest)
                done(std::move(result));
        });
    }
    // Makes every job still running stale.
    void cancel() { ++m_latest; }

private:
    quint64 m_latest = 0;
};
