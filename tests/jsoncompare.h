#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

// The corpus comparison rule: numbers compare numerically (1 == 1.0), strings after trimming
// surrounding whitespace, objects by key set and arrays in order.
inline bool jsonEquivalent(const QJsonValue& a, const QJsonValue& b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    if (a.isString() && b.isString())
        return a.toString().trimmed() == b.toString().trimmed();
    if (a.type() != b.type())
        return false;
    if (a.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!jsonEquivalent(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    if (a.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        if (x.keys() != y.keys())
            return false;
        for (auto it = x.constBegin(); it != x.constEnd(); ++it) {
            if (!jsonEquivalent(it.value(), y.value(it.key())))
                return false;
        }
        return true;
    }
    return a == b;
}
