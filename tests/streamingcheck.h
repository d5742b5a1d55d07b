#pragma once

// The streaming guard must hold back every call the final rescue finds: text that turns out to
// be a call must not have reached the client as prose first (it would then get both). Format
// tables call this on each row, so every syntax a parser reads is also one the guard holds.

#include "guard/rescuer.h"
#include "guard/streamguard.h"

#include <QJsonArray>
#include <QtTest>

namespace StreamingCheck {

// Streams `text` through a StreamGuard in pieces of several sizes and checks, for each, that no
// call the Rescuer (every format, as the proxy runs it) finds in the whole text starts in the
// part already forwarded. Returns false (after a QTest failure) when one does.
inline bool callsAreHeldBack(const QString& text, const Guard::ToolCatalog& tools)
{
    static const Guard::Rescuer rescuer;
    const Guard::RescueResult whole = rescuer.rescue(text, tools);
    if (whole.calls.isEmpty())
        return true;
    for (const qsizetype piece : { qsizetype(1), qsizetype(3), qsizetype(16), text.size() }) {
        Guard::StreamGuard guard(tools, true, true);
        for (qsizetype at = 0; at < text.size(); at += piece) {
            const QJsonObject delta { { QStringLiteral("content"), text.mid(at, piece) } };
            const QJsonObject choice { { QStringLiteral("delta"), delta } };
            guard.feed(QJsonObject { { QStringLiteral("choices"), QJsonArray { choice } } });
        }
        for (const Guard::ParsedCall& call : rescuer.rescue(guard.text(), tools).calls) {
            if (call.span.start < guard.sentLength()) {
                QTest::qFail(qPrintable(QStringLiteral("in pieces of %1, the call to %2 (at %3) had already gone out as text: %4")
                                            .arg(piece).arg(call.name).arg(call.span.start).arg(text.left(guard.sentLength()))),
                             __FILE__, __LINE__);
                return false;
            }
        }
    }
    return true;
}

} // namespace StreamingCheck
