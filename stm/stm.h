// stm/stm.h — the transactional engine, in one include. See tx.h for how to run a
// transaction and heap.h for the heap; docs/stm.md describes the design as built.
#pragma once

#include "stm/config.h"
#include "stm/heap.h"
#include "stm/ref.h"
#include "stm/stats.h"
#include "stm/tx.h"
