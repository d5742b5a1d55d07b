#include "textdiff.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace Trace {

namespace {

bool endsWithLineBreak(const QString& text)
{
    return text.endsWith(QLatin1Char('\n'));
}

DiffLine line(DiffLine::Kind kind, const QString& text, int oldLine, int newLine)
{
    DiffLine result;
    result.kind = kind;
    result.text = text;
    result.oldLine = oldLine;
    result.newLine = newLine;
    return result;
}

// Lines as small integers, so that the comparison table compares numbers, not strings.
QList<int> internLines(const QStringList& lines, QHash<QString, int>& ids)
{
    QList<int> result;
    result.reserve(lines.size());
    for (const QString& text : lines) {
        auto it = ids.constFind(text);
        if (it == ids.constEnd())
            it = ids.insert(text, int(ids.size()));
        result.append(it.value());
    }
    return result;
}

} // namespace

int TextDiff::addedCount() const
{
    return int(std::count_if(
        lines.cbegin(), lines.cend(), [](const DiffLine& l) { return l.kind == DiffLine::Kind::Added; }));
}

int TextDiff::removedCount() const
{
    return int(std::count_if(
        lines.cbegin(), lines.cend(), [](const DiffLine& l) { return l.kind == DiffLine::Kind::Removed; }));
}

bool TextDiff::identical() const
{
    return !finalLineBreakChanged && addedCount() == 0 && removedCount() == 0;
}

QStringList splitLines(const QString& text)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    if (endsWithLineBreak(text) || text.isEmpty())
        lines.removeLast();
    for (QString& l : lines) {
        if (l.endsWith(QLatin1Char('\r')))
            l.chop(1);
    }
    return lines;
}

TextDiff textDiff(const QString& before, const QString& after, qint64 maxCells)
{
    const QStringList a = splitLines(before);
    const QStringList b = splitLines(after);
    QHash<QString, int> ids;
    const QList<int> x = internLines(a, ids);
    const QList<int> y = internLines(b, ids);
    const int n = int(x.size());
    const int m = int(y.size());

    TextDiff diff;
    diff.finalLineBreakChanged = endsWithLineBreak(before) != endsWithLineBreak(after);
    int prefix = 0;
    while (prefix < n && prefix < m && x[prefix] == y[prefix])
        ++prefix;
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix && x[n - 1 - suffix] == y[m - 1 - suffix])
        ++suffix;
    for (int i = 0; i < prefix; ++i)
        diff.lines.append(line(DiffLine::Kind::Equal, a[i], i, i));

    const int rows = n - prefix - suffix; // the changed middle: old lines [prefix, n - suffix)
    const int columns = m - prefix - suffix;
    int i = 0;
    int j = 0;
    if (qint64(rows) * qint64(columns) <= maxCells) {
        // lcs[r * (columns + 1) + c]: length of the longest common subsequence of the middle's
        // old lines from r and new lines from c.
        const int stride = columns + 1;
        std::vector<int> lcs(size_t(rows + 1) * size_t(stride), 0);
        for (int r = rows - 1; r >= 0; --r) {
            for (int c = columns - 1; c >= 0; --c) {
                lcs[size_t(r) * stride + c] = x[prefix + r] == y[prefix + c]
                    ? lcs[size_t(r + 1) * stride + c + 1] + 1
                    : std::max(lcs[size_t(r + 1) * stride + c], lcs[size_t(r) * stride + c + 1]);
            }
        }
        while (i < rows && j < columns) {
            if (x[prefix + i] == y[prefix + j]) {
                diff.lines.append(line(DiffLine::Kind::Equal, a[prefix + i], prefix + i, prefix + j));
                ++i;
                ++j;
            } else if (lcs[size_t(i + 1) * stride + j] >= lcs[size_t(i) * stride + j + 1]) {
                diff.lines.append(line(DiffLine::Kind::Removed, a[prefix + i], prefix + i, -1));
                ++i;
            } else {
                diff.lines.append(line(DiffLine::Kind::Added, b[prefix + j], -1, prefix + j));
                ++j;
            }
        }
    } else {
        diff.approximate = true;
    }
    for (; i < rows; ++i)
        diff.lines.append(line(DiffLine::Kind::Removed, a[prefix + i], prefix + i, -1));
    for (; j < columns; ++j)
        diff.lines.append(line(DiffLine::Kind::Added, b[prefix + j], -1, prefix + j));

    for (int k = 0; k < suffix; ++k)
        diff.lines.append(line(DiffLine::Kind::Equal, a[n - suffix + k], n - suffix + k, m - suffix + k));
    return diff;
}

QList<DiffHunk> diffHunks(const TextDiff& diff, int context)
{
    const QList<DiffLine>& lines = diff.lines;
    const int count = int(lines.size());
    context = std::max(context, 0);
    QList<DiffHunk> hunks;
    // Where each line sits in the old and the new text, also for the lines missing from one side.
    std::vector<int> oldAt(size_t(count) + 1);
    std::vector<int> newAt(size_t(count) + 1);
    int oldPos = 0;
    int newPos = 0;
    for (int k = 0; k < count; ++k) {
        oldAt[size_t(k)] = oldPos;
        newAt[size_t(k)] = newPos;
        if (lines[k].kind != DiffLine::Kind::Added)
            ++oldPos;
        if (lines[k].kind != DiffLine::Kind::Removed)
            ++newPos;
    }
    int k = 0;
    while (k < count) {
        if (lines[k].kind == DiffLine::Kind::Equal) {
            ++k;
            continue;
        }
        const int first = std::max(0, k - context);
        int lastChange = k;
        int scan = k + 1;
        // Extend over changes separated by at most 2 * context equal lines.
        while (scan < count) {
            if (lines[scan].kind != DiffLine::Kind::Equal) {
                lastChange = scan;
            } else if (scan - lastChange > 2 * context) {
                break;
            }
            ++scan;
        }
        const int end = std::min(count, lastChange + 1 + context);
        DiffHunk hunk;
        hunk.oldStart = oldAt[size_t(first)];
        hunk.newStart = newAt[size_t(first)];
        for (int h = first; h < end; ++h) {
            hunk.lines.append(lines[h]);
            if (lines[h].kind != DiffLine::Kind::Added)
                ++hunk.oldCount;
            if (lines[h].kind != DiffLine::Kind::Removed)
                ++hunk.newCount;
        }
        hunks.append(hunk);
        k = end;
    }
    return hunks;
}

} // namespace Trace
