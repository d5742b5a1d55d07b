#include "jsontext.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Guard {

QString jsonText(const QJsonValue& value, QJsonDocument::JsonFormat format)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(format)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(format)).trimmed();
    if (value.isUndefined())
        return {};
    // A scalar: written inside an array, then unwrapped.
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

} // namespace Guard
