// commands/util.h — helpers shared by the command families: argument parsing with Redis's
// rules and error texts, typed key lookup.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ds/keyspace.h"
#include "server/client.h"
#include "server/command.h"

namespace stmkv {

// Case-insensitive ASCII comparison (option names such as "EX", "nx").
bool iequals(std::string_view a, std::string_view b);

// Redis's string2ll: optional '-', digits, no spaces, no '+', fits in int64.
bool parse_int64(std::string_view s, int64_t* out);
// Redis's string2d / string2ld for floats: strtod rules, no spaces, no NaN; "inf" allowed.
bool parse_double(std::string_view s, double* out);

// An integer argument; on failure replies "ERR value is not an integer or out of range" and
// returns false.
bool arg_int64(CommandContext& ctx, size_t i, int64_t* out);

// Looks key up in the client's database. When it exists with another type than `type`,
// replies WRONGTYPE and sets *wrong. Counts a keyspace hit or miss.
stm::Ref<Entry> lookup_typed(CommandContext& ctx, Db& db, std::string_view key, ObjType type,
                             bool* wrong);

// The client's current database as a Db handle (kCmdTx handlers only).
inline Db client_db(CommandContext& ctx) { return Db(ctx.tx(), ctx.client.db, ctx.now_ms); }

// OBJECT ENCODING of a string value, as Redis chooses it when the value is created by SET:
// "int" for integers that fit a long (up to 20 chars), "embstr" up to 44 bytes, else "raw".
Encoding string_encoding_for(std::string_view value);

// Redis's string2ld (INCRBYFLOAT, HINCRBYFLOAT): strtold rules, no leading space, no trailing
// garbage, no NaN, no overflow/underflow to inf/0.
bool parse_long_double(std::string_view s, long double* out);
// Redis's ld2string in LD_STR_HUMAN mode: "%.17Lf" without trailing zeros, "-0" as "0".
std::string format_long_double(long double value);

// The common start of HSCAN/SSCAN: parses the cursor (argv[2]) and looks up the key (argv[1])
// with the given type. Returns the entry, or a null Ref when the reply is already written (an
// invalid cursor, WRONGTYPE, or a missing key: cursor 0 and an empty array, as Redis).
stm::Ref<Entry> scan_collection_start(CommandContext& ctx, Db& db, ObjType type,
                                      uint64_t* cursor);

}  // namespace stmkv
