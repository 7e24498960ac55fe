// commands/match.h — what the SCAN-style commands share: Redis's glob matcher (KEYS, SCAN MATCH,
// and later HSCAN/SSCAN/ZSCAN, PSUBSCRIBE) and its cursor parsing. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace stmkv {

// Redis's stringmatchlen (util.c, 7.0): glob-style matching of s against pattern, byte for
// byte: `*`, `?`, `[abc]`, `[^a]`, `[a-z]` (reversed ranges allowed), `\x` escapes; an
// unterminated `[` matches as if closed at the end. Case-sensitive unless nocase. Recursion
// deeper than 1000 `*` levels does not match (Redis's protection against abusive patterns).
bool string_match(std::string_view pattern, std::string_view s, bool nocase = false);

// Parses a SCAN cursor as Redis's parseScanCursorOrReply (strtoul base 10): optional sign
// (a negative number wraps), no leading space, digits to the end, no overflow; an empty string
// is cursor 0. Returns false for "ERR invalid cursor".
bool parse_scan_cursor(std::string_view s, uint64_t* cursor);

}  // namespace stmkv
