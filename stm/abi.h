// stm/abi.h — the engine is built twice: with barriers (library `stm`) and with barriers
// compiled out and one executor (library `stm_baseline`, STM_NO_BARRIERS). An inline namespace
// keeps the two apart so one program (the benchmark) can link both.
#pragma once

#ifdef STM_NO_BARRIERS
#define STM_ABI_BEGIN inline namespace baseline {
#define STM_BARRIERS 0
#else
#define STM_ABI_BEGIN inline namespace v1 {
#define STM_BARRIERS 1
#endif
#define STM_ABI_END }
