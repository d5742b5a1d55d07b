#include "displaytext.h"

QString breakLongLines(const QString& text, qsizetype maxLine, qsizetype* brokenLines)
{
    qsizetype broken = 0;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text.at(i) == u'\n') {
            broken += i - lineStart > maxLine ? 1 : 0;
            lineStart = i + 1;
        }
    }
    if (brokenLines)
        *brokenLines = broken;
    if (broken == 0)
        return text;

    QString out;
    out.reserve(text.size() + text.size() / maxLine + 1);
    lineStart = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text.at(i) != u'\n')
            continue;
        for (qsizetype piece = lineStart; piece < i; piece += maxLine) {
            if (piece > lineStart)
                out += u'\n';
            out += QStringView(text).mid(piece, std::min(maxLine, i - piece));
        }
        if (i < text.size())
            out += u'\n';
        lineStart = i + 1;
    }
    return out;
}
