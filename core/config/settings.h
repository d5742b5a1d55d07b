#pragma once

#include "backend/backendprofile.h"

#include <QString>

namespace Config {

// What to send the client when every retry failed.
enum class OnExhausted { LastAttempt, Error };

struct GuardSettings
{
    bool enabled = true;   // --no-guard: forward tool requests untouched
    bool rescue = true;    // --no-rescue: do not look for calls in text
    bool repair = true;    // --no-repair: report fixable arguments instead of fixing them
    int maxRetries = 3;
    OnExhausted onExhausted = OnExhausted::LastAttempt;
    int keepAliveMs = 10'000; // silence on a guarded stream before an SSE comment goes out
};

// Everything a running Temper is configured with, as one value. The command line fills it;
// the window's settings dialog edits it; ProxyService applies it.
struct Settings
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 8090;
    Backend::Profile backend;
    GuardSettings guard;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    int requestTimeoutMs = 30'000;
    int idleTimeoutMs = 75'000;
    bool demo = false;         // start the embedded demo model and point the backend at it
    bool demoTraffic = true;   // with --demo: send a few scripted requests at start
    QString traceFile;         // append one JSON line per finished exchange
    int traceLimit = 5000;     // exchanges kept in memory

    Settings();
};

} // namespace Config
