// Gives the ExchangePage interface a translation unit, so that moc generates its meta-object.
#include "exchangepage.h"
