#pragma once

#include "formatparser.h"

#include <QList>

namespace Guard {

// Every format parser Temper knows, in the order the Rescuer asks them: by rank (anchored,
// envelope, bare), and within a rank in the order listed in registry.cpp.
const QList<const FormatParser*>& formatParsers();

} // namespace Guard
