// Redis's `struct` Lua library (struct.pack, struct.unpack, struct.size), written for stmkv
// after the behaviour of Roberto Ierusalimschy's lstruct as Redis ships it.
//
// Format: '<' little-endian, '>' big-endian, '=' native, '!n' alignment n (default native);
// 'b'/'B' signed/unsigned char, 'h'/'H' short, 'l'/'L' long, 'T' size_t, 'i'/'I'[n] an int of n
// bytes (default sizeof(int)), 'f' float, 'd' double, 'n' lua_Number, 'cn' n chars ('c0': the
// length is the previous number packed/unpacked), 's' zero-terminated string, 'x' a zero byte,
// spaces ignored.
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "scripting/lua_libs.h"

namespace stmkv::scripting {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;

struct Header {
  bool little = true;  // this machine is little-endian (x86-64, aarch64 Linux)
  int align = 1;
};

bool is_digit(int c) { return c >= '0' && c <= '9'; }

int get_num(const char** fmt, int df) {
  if (!is_digit(**fmt)) return df;
  int a = 0;
  do {
    if (a > (INT32_MAX / 10) || a * 10 > (INT32_MAX - (**fmt - '0'))) return -1;
    a = a * 10 + *((*fmt)++) - '0';
  } while (is_digit(**fmt));
  return a;
}

// Size of option opt; raises on a bad size.
size_t opt_size(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b': return 1;
    case 'H':
    case 'h': return sizeof(short);
    case 'L':
    case 'l': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return size_t(get_num(fmt, 1));
    case 'i':
    case 'I': {
      int sz = get_num(fmt, sizeof(int));
      if (sz > kMaxIntSize)
        luaL_error(L, "integral size %d is larger than limit of %d", sz, kMaxIntSize);
      return size_t(sz);
    }
    default: return 0;  // other options
  }
}

int gettoalign(size_t len, const Header& h, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > size_t(h.align)) size = size_t(h.align);
  return int((size - (len & (size - 1))) & (size - 1));
}

void control_options(lua_State* L, int opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ': return;
    case '>': h->little = false; return;
    case '<': h->little = true; return;
    case '!': {
      int a = get_num(fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default: luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

void put_integral(luaL_Buffer* b, lua_Number n, bool little, size_t size) {
  char buff[kMaxIntSize];
  uint64_t value = n < 0 ? uint64_t(int64_t(n)) : uint64_t(n);
  for (size_t i = 0; i < size; ++i) {
    unsigned char byte = i < 8 ? (value >> (8 * i)) & 0xFF : (n < 0 ? 0xFF : 0);
    buff[little ? i : size - 1 - i] = char(byte);
  }
  luaL_addlstring(b, buff, size);
}

void correct_bytes(char* p, size_t size, bool little) {
  if (little) return;  // this machine is little-endian
  for (size_t i = 0; i < size / 2; ++i) std::swap(p[i], p[size - 1 - i]);
}

int b_size(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t pos = 0;
  while (*fmt != '\0') {
    int opt = *fmt++;
    size_t size = opt_size(L, char(opt), &fmt);
    pos += size_t(gettoalign(pos, h, opt, size));
    if (opt == 's') {
      luaL_argerror(L, 1, "options 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "options 'c0' has no fixed size");
    }
    if (!std::isalnum(opt)) control_options(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, lua_Integer(pos));
  return 1;
}

int b_pack(lua_State* L) {
  luaL_Buffer b;
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t totalsize = 0;
  lua_pushnil(L);  // mark to separate arguments from the string buffer
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    int opt = *fmt++;
    size_t size = opt_size(L, char(opt), &fmt);
    int toalign = gettoalign(totalsize, h, opt, size);
    totalsize += size_t(toalign);
    while (toalign-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        lua_Number n = luaL_checknumber(L, arg++);
        put_integral(&b, n, h.little, size);
        break;
      }
      case 'x': luaL_addchar(&b, '\0'); break;
      case 'f': {
        float f = float(luaL_checknumber(L, arg++));
        correct_bytes(reinterpret_cast<char*>(&f), size, h.little);
        luaL_addlstring(&b, reinterpret_cast<char*>(&f), size);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        correct_bytes(reinterpret_cast<char*>(&d), size, h.little);
        luaL_addlstring(&b, reinterpret_cast<char*>(&d), size);
        break;
      }
      case 'c':
      case 's': {
        size_t l;
        const char* s = luaL_checklstring(L, arg++, &l);
        if (size == 0) size = l;
        luaL_argcheck(L, l >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          size++;
        }
        break;
      }
      default: control_options(L, opt, &fmt, &h);
    }
    totalsize += size;
  }
  luaL_pushresult(&b);
  return 1;
}

lua_Number get_integral(const char* buff, bool little, bool is_signed, size_t size) {
  uint64_t l = 0;
  for (size_t i = 0; i < size; ++i) {
    l <<= 8;
    l |= uint64_t(static_cast<unsigned char>(buff[little ? size - i - 1 : i]));
  }
  if (!is_signed) return lua_Number(l);
  if (size < 8) {
    uint64_t mask = ~uint64_t(0) << (size * 8 - 1);
    if (l & mask) l |= mask;  // sign extension
  }
  return lua_Number(int64_t(l));
}

int b_unpack(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t ld;
  const char* data = luaL_checklstring(L, 2, &ld);
  size_t pos = size_t(luaL_optinteger(L, 3, 1)) - 1;
  luaL_argcheck(L, pos <= ld, 3, "offset must be 1 or greater");
  lua_settop(L, 2);
  int n = 0;
  while (*fmt) {
    int opt = *fmt++;
    size_t size = opt_size(L, char(opt), &fmt);
    pos += size_t(gettoalign(pos, h, opt, size));
    luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        bool is_signed = std::islower(opt) != 0;
        lua_pushnumber(L, get_integral(data + pos, h.little, is_signed, size));
        n++;
        break;
      }
      case 'x': break;
      case 'f': {
        float f;
        std::memcpy(&f, data + pos, size);
        correct_bytes(reinterpret_cast<char*>(&f), sizeof(f), h.little);
        lua_pushnumber(L, f);
        n++;
        break;
      }
      case 'd': {
        double d;
        std::memcpy(&d, data + pos, size);
        correct_bytes(reinterpret_cast<char*>(&d), sizeof(d), h.little);
        lua_pushnumber(L, d);
        n++;
        break;
      }
      case 'c': {
        if (size == 0) {
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = size_t(lua_tonumber(L, -1));
          lua_pop(L, 1);
          n--;
          luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        n++;
        break;
      }
      case 's': {
        const char* e = static_cast<const char*>(std::memchr(data + pos, '\0', ld - pos));
        if (e == nullptr) luaL_error(L, "unfinished string in data");
        size = size_t(e - (data + pos) + 1);
        lua_pushlstring(L, data + pos, size - 1);
        n++;
        break;
      }
      default: control_options(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, lua_Integer(pos) + 1);  // the next position
  return n + 1;
}

}  // namespace

int luaopen_struct(lua_State* L) {
  static const luaL_Reg kFunctions[] = {
      {"pack", b_pack}, {"unpack", b_unpack}, {"size", b_size}, {nullptr, nullptr}};
  luaL_register(L, "struct", kFunctions);
  return 1;
}

}  // namespace stmkv::scripting
