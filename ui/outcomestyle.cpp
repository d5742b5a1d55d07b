#include "outcomestyle.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace OutcomeStyle {

namespace {

// One hue per outcome; the palette decides how light or dark it is drawn.
int hueOf(Trace::Outcome outcome)
{
    switch (outcome) {
    case Trace::Outcome::Passed: return 130;      // green
    case Trace::Outcome::Rescued: return 200;     // blue
    case Trace::Outcome::Repaired: return 170;    // teal
    case Trace::Outcome::Retried: return 40;      // amber
    case Trace::Outcome::GaveUp: return 15;       // orange-red
    case Trace::Outcome::Error: return 0;         // red
    case Trace::Outcome::Passthrough: return -1;  // neutral
    case Trace::Outcome::Pending: return -1;
    }
    return -1;
}

} // namespace

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QString label(Trace::Outcome outcome)
{
    switch (outcome) {
    case Trace::Outcome::Pending: return QCoreApplication::translate("Outcome", "running");
    case Trace::Outcome::Passed: return QCoreApplication::translate("Outcome", "passed");
    case Trace::Outcome::Rescued: return QCoreApplication::translate("Outcome", "rescued");
    case Trace::Outcome::Repaired: return QCoreApplication::translate("Outcome", "repaired");
    case Trace::Outcome::Retried: return QCoreApplication::translate("Outcome", "retried");
    case Trace::Outcome::GaveUp: return QCoreApplication::translate("Outcome", "gave up");
    case Trace::Outcome::Error: return QCoreApplication::translate("Outcome", "error");
    case Trace::Outcome::Passthrough: return QCoreApplication::translate("Outcome", "passthrough");
    }
    return QString();
}

QString description(Trace::Outcome outcome)
{
    switch (outcome) {
    case Trace::Outcome::Pending: return QCoreApplication::translate("Outcome", "The exchange is still running.");
    case Trace::Outcome::Passed: return QCoreApplication::translate("Outcome", "Tools were declared and the model's first answer was valid.");
    case Trace::Outcome::Rescued: return QCoreApplication::translate("Outcome", "Tool calls the model wrote as text were recovered.");
    case Trace::Outcome::Repaired: return QCoreApplication::translate("Outcome", "Argument values were repaired to match the schema.");
    case Trace::Outcome::Retried: return QCoreApplication::translate("Outcome", "A corrective retry produced the answer the client got.");
    case Trace::Outcome::GaveUp: return QCoreApplication::translate("Outcome", "Retries ran out; the client got the last answer.");
    case Trace::Outcome::Error: return QCoreApplication::translate("Outcome", "Temper or the backend failed; the client got an error.");
    case Trace::Outcome::Passthrough: return QCoreApplication::translate("Outcome", "Nothing to guard: forwarded untouched.");
    }
    return QString();
}

QColor background(Trace::Outcome outcome, const QPalette& palette)
{
    const int hue = hueOf(outcome);
    if (hue < 0)
        return QColor();
    return isDark(palette) ? QColor::fromHsl(hue, 110, 60) : QColor::fromHsl(hue, 170, 215);
}

QColor foreground(Trace::Outcome outcome, const QPalette& palette)
{
    const int hue = hueOf(outcome);
    if (hue < 0)
        return palette.color(QPalette::PlaceholderText);
    return isDark(palette) ? QColor::fromHsl(hue, 200, 225) : QColor::fromHsl(hue, 200, 50);
}

} // namespace OutcomeStyle
