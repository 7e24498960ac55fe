// persist/crc64.h — Redis's CRC-64 (Jones polynomial 0xad93d23594c935a9, reflected, initial value
// 0, no final xor), as used by RDB files and DUMP payloads. crc64(0, "123456789") is
// 0xe9c6d914c4b8d9ca. Thread-safe (the tables are built once, on first use).
#pragma once

#include <cstddef>
#include <cstdint>

namespace stmkv::persist {

// Extends crc (0 to start) with len bytes.
uint64_t crc64(uint64_t crc, const void* data, size_t len);

}  // namespace stmkv::persist
