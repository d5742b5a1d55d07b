#pragma once

#include <QByteArray>
#include <QList>
#include <optional>

namespace JsonEdit {

// Where one member of a JSON object's top level sits in the text.
struct MemberSpan
{
    qsizetype keyStart = -1;   // the opening quote of the key
    qsizetype valueStart = -1;
    qsizetype valueEnd = -1;   // just past the value
};

// Byte-level edits of a JSON object that leave everything else exactly as the client wrote it:
// key order, spacing, number spellings (1.0 stays 1.0) and escapes. Temper changes only what it
// must (the model name, corrective turns appended on a retry), so the backend sees the client's
// own request. Each function returns nullopt when `json` is not a well-formed object.

std::optional<MemberSpan> findTopLevelMember(const QByteArray& json, QByteArrayView key);

// Replaces the member's value with `valueJson`, or adds the member when it is absent.
std::optional<QByteArray> setTopLevelMember(const QByteArray& json, QByteArrayView key, const QByteArray& valueJson);

// Appends `itemsJson` (each a serialised JSON value) to the array held by `key`.
std::optional<QByteArray> appendToTopLevelArray(const QByteArray& json, QByteArrayView key, const QList<QByteArray>& itemsJson);

} // namespace JsonEdit
