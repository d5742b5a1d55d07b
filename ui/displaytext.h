#pragma once

#include <QString>

// Text as a plain-text view can show it without freezing. Qt lays a line out in one go, so a
// compact JSON body of several MB on one line takes seconds to show, while the same bytes in
// lines of a few thousand characters take milliseconds. Lines longer than `maxLine` are broken
// into pieces of that length: nothing is inserted but line breaks, and `brokenLines` (if given)
// says how many lines were broken so the view can tell the reader. Pure; runs off the main thread.
QString breakLongLines(const QString& text, qsizetype maxLine = 2000, qsizetype* brokenLines = nullptr);
