#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace Trace {

// One line of a line diff.
struct DiffLine
{
    enum class Kind { Equal, Removed, Added };
    Kind kind = Kind::Equal;
    QString text; // the line without its line break
    int oldLine = -1; // 0-based line number in the old text; -1 for an added line
    int newLine = -1; // 0-based line number in the new text; -1 for a removed line

    bool operator==(const DiffLine& other) const
    {
        return kind == other.kind && text == other.text && oldLine == other.oldLine
            && newLine == other.newLine;
    }
};

// The line diff of two texts.
struct TextDiff
{
    QList<DiffLine> lines; // every line of both texts in order; in a change, removals come first
    bool approximate = false; // the cost bound was hit: the changed middle is one whole replace
    bool finalLineBreakChanged = false; // one text ends with a line break and the other does not

    int addedCount() const;
    int removedCount() const;
    bool identical() const; // the texts are the same, up to "\r\n" written as "\n"
};

// A run of changed lines with up to `context` equal lines on either side, as a diff viewer shows it.
struct DiffHunk
{
    int oldStart = 0; // 0-based line in the old text where the hunk starts
    int oldCount = 0;
    int newStart = 0;
    int newCount = 0;
    QList<DiffLine> lines;
};

// The lines of a text. "\n" and "\r\n" end a line; a line break at the very end ends the last line
// and does not start an empty one, so "a\n" and "a" both have the one line "a", "" has none and
// "\n" has one empty line.
QStringList splitLines(const QString& text);

// Default bound on the cost of textDiff: cells of the comparison table (4 bytes each).
inline constexpr qint64 DefaultDiffCells = 1'000'000;

// A minimal line diff of `before` and `after` (fewest removed plus added lines, by longest common
// subsequence). Pure.
//
// Lines common to both ends are matched first and cost nothing. The changed middle, n old and m
// new lines, is compared in n*m cells of time and memory; past `maxCells` it is reported as all n
// lines removed and all m added (approximate = true), so a huge answer never stalls the window.
// Texts that differ only in a final line break have equal lines and finalLineBreakChanged set.
TextDiff textDiff(const QString& before, const QString& after, qint64 maxCells = DefaultDiffCells);

// The changes of `diff` grouped into hunks with `context` equal lines around each; changes closer
// than 2 * context lines share a hunk. No hunks when no line changed.
QList<DiffHunk> diffHunks(const TextDiff& diff, int context = 3);

} // namespace Trace
