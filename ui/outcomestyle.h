#pragma once

#include "trace/exchange.h"

#include <QColor>
#include <QPalette>
#include <QString>

// How outcomes look: a short label, a sentence for tooltips, and badge colours chosen for the
// current palette, so that they read well in light and dark themes alike.
namespace OutcomeStyle {

QString label(Trace::Outcome outcome);
QString description(Trace::Outcome outcome);
QColor background(Trace::Outcome outcome, const QPalette& palette);
QColor foreground(Trace::Outcome outcome, const QPalette& palette);
bool isDark(const QPalette& palette);

} // namespace OutcomeStyle
