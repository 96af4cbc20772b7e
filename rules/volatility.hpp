#pragma once
// Moved to analyzer/volatility.hpp (the lock model needs it too); kept until every rule includes
// the new path.
#include "analyzer/volatility.hpp"
