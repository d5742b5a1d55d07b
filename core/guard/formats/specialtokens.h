#pragma once

#include "formatparser.h"
