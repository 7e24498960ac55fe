// persist/lzf.h — the LZF compression format of liblzf (which Redis uses for RDB strings).
//
// A stream of runs: a control byte c < 32 is followed by c+1 literal bytes; otherwise the top
// three bits are the match length - 2 (7 = one more length byte follows, added to 7) and the low
// five bits plus the next byte the distance - 1 (up to 8192) back into the output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stmkv::persist {

// Compresses in into out (at most out_cap bytes). Returns the compressed length, or 0 when the
// result would not fit in out_cap (as liblzf's lzf_compress).
size_t lzf_compress(std::string_view in, char* out, size_t out_cap);

// Decompresses in, which must expand to exactly out_len bytes, into *out. False on corrupt input.
bool lzf_decompress(std::string_view in, size_t out_len, std::string* out);

}  // namespace stmkv::persist
