// scripting/function_dump.h — FUNCTION DUMP / RESTORE payloads in Redis 7.0's format: for each
// library the opcode RDB_OPCODE_FUNCTION2 (245) and its code as an RDB string, then the RDB
// version (10, 2 bytes little-endian) and the CRC64 (Jones, as Redis's crc64) of everything
// before it (8 bytes little-endian). Payloads from redis-server 7.0 (LZF-compressed strings
// included) restore here, and ours restore there.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scripting/scripting.h"

namespace stmkv::scripting {

// Redis's crc64 (Jones polynomial, reflected, initial value crc).
uint64_t crc64_jones(uint64_t crc, std::string_view data);

std::string dump_libraries(const std::vector<std::shared_ptr<const Library>>& libs);
// Checks the footer and reads the libraries' codes. Returns "" or the error reply.
std::string parse_dump(std::string_view payload, std::vector<std::string>* codes);

}  // namespace stmkv::scripting
