#pragma once

#include <QJsonDocument>
#include <QJsonValue>
#include <QString>

namespace Guard {

// Any JSON value as JSON text: objects and arrays compact or indented (without the trailing
// newline), strings with their quotes, numbers, true, false, null; an undefined value as an empty
// string. (QJsonDocument takes only objects and arrays; this is the one place that works around it.)
QString jsonText(const QJsonValue& value, QJsonDocument::JsonFormat format = QJsonDocument::Compact);

} // namespace Guard
