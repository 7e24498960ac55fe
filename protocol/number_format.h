// Number <-> text conversions with Redis 7.0's exact rules.
//
// Pure functions; safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace protocol {

// Enough for any long long in decimal, with sign (20 chars) and a terminating NUL.
inline constexpr size_t kLongLongStrSize = 21;

// Writes `value` in decimal to `dst` (NUL-terminated), as Redis's ll2string. Returns the number
// of characters written, without the NUL; 0 if `dst_len` is too small.
size_t ll2string(char* dst, size_t dst_len, long long value);

// Parses `text` as a long long with Redis's string2ll rules: optional '-', no '+', no spaces,
// no leading zeros ("0" alone is fine, "-0" is not), no overflow. Returns false if invalid.
bool string2ll(std::string_view text, long long* value);

// Formats a double as Redis 7.0's addReplyDouble does: "inf" / "-inf" for infinities,
// otherwise printf's "%.17g" (e.g. 1.1 -> "1.1000000000000001", NaN -> "nan" or "-nan").
std::string format_double(double value);

// As format_double, writing into `dst` (at least kDoubleStrSize bytes). Returns the length.
inline constexpr size_t kDoubleStrSize = 32;
size_t format_double(char* dst, double value);

}  // namespace protocol
