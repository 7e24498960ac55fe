// Tests of EVAL / EVALSHA / EVAL_RO / SCRIPT / FCALL / FUNCTION through the command dispatcher.
// Expected replies were taken from redis-server 7.0.15 (same scripts, same arguments).
#include "scripting/scripting.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace {

using namespace stmkv_test;

std::string arr(size_t n) { return "*" + std::to_string(n) + "\r\n"; }
std::string status(std::string_view s) { return "+" + std::string(s) + "\r\n"; }

std::string eval(Harness& h, std::string script, std::vector<std::string> rest = {"0"},
                 int client = 0) {
  std::vector<std::string> argv = {"EVAL", std::move(script)};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return h.run(argv, client);
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(Scripting, LuaToRespConversions) {
  Harness h;
  EXPECT_EQ(eval(h, "return 1"), integer(1));
  EXPECT_EQ(eval(h, "return 3.99"), integer(3));  // floats truncate to integers
  EXPECT_EQ(eval(h, "return -3.99"), integer(-3));
  EXPECT_EQ(eval(h, "return 'x'"), bulk("x"));
  EXPECT_EQ(eval(h, "return true"), integer(1));
  EXPECT_EQ(eval(h, "return false"), kNil);
  EXPECT_EQ(eval(h, "return nil"), kNil);
  // Arrays stop at the first nil.
  EXPECT_EQ(eval(h, "return {1,2,3,'x',nil,4}"),
            arr(4) + integer(1) + integer(2) + integer(3) + bulk("x"));
  EXPECT_EQ(eval(h, "return {1.5, 2.7, -3.9}"), arr(3) + integer(1) + integer(2) + integer(-3));
  EXPECT_EQ(eval(h, "return {ok='fine'}"), status("fine"));
  EXPECT_EQ(eval(h, "return {err='bad'}"), error("bad"));
  EXPECT_EQ(eval(h, "return {err='-bad x'}"), error("-bad x"));
  EXPECT_EQ(eval(h, "return redis.error_reply('My err')"), error("My err"));
  EXPECT_EQ(eval(h, "return redis.error_reply('-My err')"), error("My err"));
  EXPECT_EQ(eval(h, "return redis.status_reply('FINE')"), status("FINE"));
  EXPECT_EQ(eval(h, "return redis.error_reply(1)"), error("ERR wrong number or type of arguments"));
  // RESP2 renderings of the RESP3 types.
  EXPECT_EQ(eval(h, "return {double=3.5}"), bulk("3.5"));
  EXPECT_EQ(eval(h, "return {big_number='123456789012345678901234567890'}"),
            bulk("123456789012345678901234567890"));
  EXPECT_EQ(eval(h, "return {map={a=1}}"), arr(2) + bulk("a") + integer(1));
  EXPECT_EQ(eval(h, "return {set={a=true}}"), arr(1) + bulk("a"));
  EXPECT_EQ(eval(h, "return {verbatim_string={format='txt', string='hello'}}"), bulk("hello"));
  EXPECT_EQ(eval(h, "redis.setresp(3) return true"), integer(1));
  EXPECT_EQ(eval(h, "redis.setresp(3) return false"), integer(0));
  // A RESP3 client.
  h.client(0).resp = 3;
  EXPECT_EQ(eval(h, "return {double=3.5}"), ",3.5\r\n");
  EXPECT_EQ(eval(h, "return {map={a=1}}"), "%1\r\n" + bulk("a") + integer(1));
  EXPECT_EQ(eval(h, "return {set={a=true}}"), "~1\r\n" + bulk("a"));
  EXPECT_EQ(eval(h, "return {big_number='123'}"), "(123\r\n");
  EXPECT_EQ(eval(h, "return {verbatim_string={format='txt', string='hello'}}"),
            "=9\r\ntxt:hello\r\n");
  EXPECT_EQ(eval(h, "return true"), integer(1));
  EXPECT_EQ(eval(h, "return false"), "_\r\n");
  EXPECT_EQ(eval(h, "redis.setresp(3) return false"), "#f\r\n");
  EXPECT_EQ(eval(h, "return nil"), "_\r\n");
}

TEST(Scripting, RespToLuaConversions) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "n", "3.5"}), kOk);
  EXPECT_EQ(h.run({"HSET", "h", "f1", "v1"}), integer(1));
  EXPECT_EQ(h.run({"ZADD", "z", "1.5", "a"}), integer(1));
  // Bulk nil -> false; integer -> number; status -> {ok=}; error -> {err=}.
  EXPECT_EQ(eval(h, "return type(redis.call('get','nokey'))"), bulk("boolean"));
  EXPECT_EQ(eval(h, "return redis.call('exists','n') + 1"), integer(2));
  EXPECT_EQ(eval(h, "return redis.call('set','x','1').ok"), bulk("OK"));
  EXPECT_EQ(eval(h, "return redis.pcall('lpush','n','x').err"),
            bulk("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(eval(h, "return redis.call('hgetall','h')"), arr(2) + bulk("f1") + bulk("v1"));
  // Numbers as arguments are formatted with %.17g.
  EXPECT_EQ(eval(h, "redis.call('set','n',0.1) return redis.call('get','n')"),
            bulk("0.10000000000000001"));
  EXPECT_EQ(eval(h, "redis.call('set','n',1e20) return redis.call('get','n')"), bulk("1e+20"));
  // RESP3 inside the script: map, set, double, null.
  EXPECT_EQ(eval(h, "redis.setresp(3) return redis.call('hgetall','h').map.f1"), bulk("v1"));
  EXPECT_EQ(eval(h, "redis.setresp(3) return {redis.call('zscore','z','a').double}"),
            arr(1) + integer(1));
  EXPECT_EQ(eval(h, "redis.setresp(3) return redis.call('get','nokey') == nil"), integer(1));
  EXPECT_EQ(eval(h, "redis.setresp(3) return redis.call('hgetall','h')"),
            arr(2) + bulk("f1") + bulk("v1"));
  EXPECT_EQ(eval(h, "return {KEYS[1], KEYS[2], ARGV[1]}", {"2", "k1", "k2", "a1"}),
            arr(3) + bulk("k1") + bulk("k2") + bulk("a1"));
}

TEST(Scripting, ErrorsCallVsPcall) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "s", "v"}), kOk);
  EXPECT_EQ(eval(h, "return redis.call('lpush','s','b')"),
            error("WRONGTYPE Operation against a key holding the wrong kind of value script: "
                  "ff162187bb13c2c2e85490ee437605bdf1a9c1fb, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.pcall('lpush','s','b')"),
            error("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(eval(h, "return redis.pcall('nosuch')"),
            error("ERR Unknown Redis command called from script"));
  EXPECT_EQ(eval(h, "return redis.call(\"nosuch\")"),
            error("ERR Unknown Redis command called from script script: "
                  "2218effcac8108416909801acfb39c080a85adfa, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.call(\"get\")"),
            error("ERR Wrong number of args calling Redis command from script script: "
                  "ad9cf9305028be601cfd2abed4ce895eb41a4a6f, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.call('set','n',{})"),
            error("ERR Lua redis lib command arguments must be strings or integers script: "
                  "7d09dc30be5b230e0c3e98caa6ad8561a6a7703f, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.pcall()"),
            error("ERR Please specify at least one argument for this redis lib call"));
  EXPECT_EQ(eval(h, "error('boom')"),
            error("ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on "
                  "@user_script:1."));
  EXPECT_EQ(eval(h, "error({err=\"MY boom\"})"),
            error("MY boom script: 6f210a79061330ed689d8391066504f6e8d371f5, on @user_script:1."));
  EXPECT_EQ(eval(h, "\nlocal a = 1\nlocal b = nil\nreturn b.x"),
            error("ERR user_script:4: attempt to index local 'b' (a nil value) script: "
                  "5ab4c0ab612465f36fd4c16184e253b1d38cdbf5, on @user_script:4."));
  EXPECT_EQ(eval(h, "return 1 + +"),
            error("ERR Error compiling script (new function): user_script:1: unexpected symbol "
                  "near '+'"));
  // pcall turns redis.call's error table into its message; Lua errors stay strings.
  EXPECT_EQ(eval(h,
                 "local ok, e = pcall(redis.call, 'lpush','s','x'); return {tostring(ok), "
                 "type(e), e}"),
            arr(3) + bulk("false") + bulk("string") +
                bulk("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(eval(h, "return {pcall(error, 'hi')}"), arr(2) + kNil + bulk("hi"));
  // Refused commands.
  EXPECT_EQ(eval(h, "return redis.call(\"multi\")"),
            error("ERR This Redis command is not allowed from script script: "
                  "211a39902cf76b98677003ff6f4c16cf0d1d5d6b, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.call(\"blpop\",\"x\",0)"),
            error("ERR This Redis command is not allowed from script script: "
                  "618f54b58dff663fdcc2ac0a155b2a95cc30a664, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.call('eval','return 1','0')").substr(0, 47),
            "-ERR This Redis command is not allowed from scr");
  // Arguments.
  EXPECT_EQ(eval(h, "return 1", {"-1"}), error("ERR Number of keys can't be negative"));
  EXPECT_EQ(eval(h, "return 1", {"2", "a"}),
            error("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(eval(h, "return 1", {"x"}), error("ERR value is not an integer or out of range"));
}

TEST(Scripting, SandboxGlobals) {
  Harness h;
  EXPECT_EQ(eval(h, "x=1 return 1"),
            error("ERR user_script:1: Attempt to modify a readonly table script: "
                  "8c33554131370d038c43c84505cf323a3fdc0671, on @user_script:1."));
  EXPECT_EQ(eval(h, "return y"),
            error("ERR user_script:1: Script attempted to access nonexistent global variable 'y' "
                  "script: e278681ed961e2fb52881313e5c90fdd93749940, on @user_script:1."));
  EXPECT_EQ(eval(h, "redis.call=1 return 1"),
            error("ERR user_script:1: Attempt to modify a readonly table script: "
                  "ce1862244c80e31f50f8506760c9485defbe3d09, on @user_script:1."));
  EXPECT_EQ(eval(h, "rawset(_G,'x',1) return 1"),
            error("ERR Attempt to modify a readonly table script: "
                  "370407d93b0e11a2c9fdd10662499a6b5ac61d6f, on @user_script:1."));
  for (const char* g : {"os", "io", "loadfile", "dofile", "print", "getfenv", "require"}) {
    std::string r = eval(h, std::string("return ") + g);
    EXPECT_NE(
        r.find("Script attempted to access nonexistent global variable '" + std::string(g) + "'"),
        std::string::npos)
        << g;
  }
  EXPECT_EQ(eval(h,
                 "return {type(cjson), type(bit), type(struct), type(cmsgpack), "
                 "type(string), type(math), type(table), type(coroutine), type(loadstring)}"),
            arr(9) + bulk("table") + bulk("table") + bulk("table") + bulk("table") + bulk("table") +
                bulk("table") + bulk("table") + bulk("table") + bulk("function"));
  EXPECT_EQ(eval(h, "return cjson.encode({1,2,{a=1}})"), bulk("[1,2,{\"a\":1}]"));
  EXPECT_EQ(eval(h, "return bit.band(7,3)"), integer(3));
  EXPECT_EQ(eval(h, "return redis.sha1hex('')"), bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
  EXPECT_EQ(eval(h,
                 "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.LOG_WARNING, "
                 "redis.REPL_ALL}"),
            arr(4) + bulk("7.0.15") + integer(458767) + integer(3) + integer(3));
  EXPECT_EQ(eval(h, "math.randomseed(7) return math.random(1000)"), integer(267));
  // pairs over a library still works, and KEYS of one run does not leak into the next.
  EXPECT_EQ(eval(h, "local n = 0 for k in pairs(redis) do n = n + 1 end return n > 10"),
            integer(1));
  EXPECT_EQ(eval(h, "return #KEYS", {"2", "a", "b"}), integer(2));
  EXPECT_EQ(eval(h, "return #KEYS"), integer(0));
  EXPECT_EQ(eval(h, "redis.setresp(3) return 1"), integer(1));
  EXPECT_EQ(eval(h, "return true"), integer(1));  // the RESP level is per run
  // SELECT inside a script does not change the caller's database.
  EXPECT_EQ(eval(h, "redis.call('select', 5) return redis.call('set','indb5','1')"), kOk);
  EXPECT_EQ(h.run({"EXISTS", "indb5"}), integer(0));
  EXPECT_EQ(h.run({"SELECT", "5"}), kOk);
  EXPECT_EQ(h.run({"EXISTS", "indb5"}), integer(1));
}

TEST(Scripting, StructAndCmsgpack) {
  Harness h;
  // Byte strings and values as redis-server 7.0.15 gives them.
  EXPECT_EQ(eval(h, "return struct.pack('>I2i4bc3s', 258, -5, 7, 'abc', 'z')"),
            bulk(std::string("\x01\x02\xff\xff\xff\xfb\x07"
                             "abcz\x00",
                             12)));
  EXPECT_EQ(
      eval(h,
           "return {struct.unpack('>I2i4bc3s', struct.pack('>I2i4bc3s', 258, -5, 7, "
           "'abc', 'z'))}"),
      arr(6) + integer(258) + integer(-5) + integer(7) + bulk("abc") + bulk("z") + integer(13));
  EXPECT_EQ(eval(h, "return struct.size('!4bid')"), integer(16));
  EXPECT_EQ(eval(h, "return {pcall(struct.pack, 'q', 1)}"),
            arr(2) + kNil + bulk("bad argument #1 to '?' (invalid format option 'q')"));
  EXPECT_EQ(eval(h,
                 "return cmsgpack.pack({1,2,3}, {a=1}, 'hello', 3.5, -100, 100000, true, "
                 "1e20, 0.1)"),
            bulk(std::string("\x93\x01\x02\x03\x81\xa1"
                             "a\x01\xa5hello\xca@`\x00\x00\xd0"
                             "\x9c\xce\x00\x01\x86\xa0\xc3\xcb"
                             "D\x15\xaf\x1dx\xb5\x8c@"
                             "\xcb?\xb9\x99\x99\x99\x99\x99\x9a",
                             45)));
  EXPECT_EQ(eval(h,
                 "local t = {cmsgpack.unpack(cmsgpack.pack({1,2,{x='y'}}, 'str', -7))} "
                 "return {#t, t[1][3].x, t[2], t[3]}"),
            arr(4) + integer(3) + bulk("y") + bulk("str") + integer(-7));
  EXPECT_EQ(eval(h, "return {pcall(cmsgpack.unpack, string.char(0xc1))}"),
            arr(2) + kNil + bulk("Bad data format in input."));
  EXPECT_EQ(eval(h, "return {pcall(cmsgpack.unpack, string.char(0xcd, 1))}"),
            arr(2) + kNil + bulk("Missing bytes in input."));
}

TEST(Scripting, ShaCacheAndNoscript) {
  Harness h;
  const std::string sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";  // "return 1"
  EXPECT_EQ(h.run({"EVALSHA", sha, "0"}), error("NOSCRIPT No matching script. Please use EVAL."));
  EXPECT_EQ(h.run({"SCRIPT", "EXISTS", sha, "abc"}), arr(2) + integer(0) + integer(0));
  EXPECT_EQ(h.run({"SCRIPT", "LOAD", "return 1"}), bulk(sha));
  EXPECT_EQ(h.run({"SCRIPT", "EXISTS", sha}), arr(1) + integer(1));
  // The cache is shared: client 1 is on the other worker.
  EXPECT_EQ(h.run({"EVALSHA", sha, "0"}, 1), integer(1));
  EXPECT_EQ(h.run({"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}), integer(1));
  EXPECT_EQ(h.run({"SCRIPT", "FLUSH"}), kOk);
  EXPECT_EQ(h.run({"EVALSHA", sha, "0"}, 1),
            error("NOSCRIPT No matching script. Please use EVAL."));
  // EVAL caches its script.
  EXPECT_EQ(eval(h, "return 1"), integer(1));
  EXPECT_EQ(h.run({"EVALSHA", sha, "0"}, 1), integer(1));
  EXPECT_EQ(h.run({"SCRIPT", "FLUSH", "bogus"}),
            error("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
  EXPECT_EQ(h.run({"SCRIPT", "FLUSH", "ASYNC"}), kOk);
  EXPECT_EQ(h.run({"SCRIPT", "LOAD", "return +"}).substr(0, 44),
            "-ERR Error compiling script (new function): ");
  EXPECT_EQ(h.run({"SCRIPT", "KILL"}), error("NOTBUSY No scripts in execution right now."));
  EXPECT_EQ(h.run({"FUNCTION", "KILL"}), error("NOTBUSY No scripts in execution right now."));
}

TEST(Scripting, ReadOnlyVariantsRefuseWrites) {
  Harness h;
  EXPECT_EQ(h.run({"EVAL_RO", "return redis.call(\"set\",\"a\",\"b\")", "0"}),
            error("ERR Write commands are not allowed from read-only scripts. script: "
                  "554a95710d45ea243cdf37846a5028cfac292109, on @user_script:1."));
  EXPECT_EQ(h.run({"EXISTS", "a"}), integer(0));
  EXPECT_EQ(h.run({"SET", "a", "1"}), kOk);
  EXPECT_EQ(h.run({"EVAL_RO", "return redis.call('get','a')", "0"}), bulk("1"));
  EXPECT_EQ(h.run({"EVAL_RO", "return redis.call('incr','a')", "0"}).substr(0, 60),
            "-ERR Write commands are not allowed from read-only scripts. ");
  // Shebang flags.
  EXPECT_EQ(eval(h, "#!lua flags=no-writes\nreturn redis.call('set','a','b')"),
            error("ERR Write commands are not allowed from read-only scripts. script: "
                  "6acb400a50fe96e33eca4e0af6e9dcfb21193726, on @user_script:2."));
  EXPECT_EQ(eval(h, "#!lua flags=bogus\nreturn 1"),
            error("ERR Unexpected flag in script shebang: bogus"));
  EXPECT_EQ(eval(h, "#!lua name=x\nreturn 1"), error("ERR Unknown lua shebang option: name=x"));
  EXPECT_EQ(eval(h, "#!notlua\nreturn 1"),
            error("ERR Unexpected engine in script shebang: #!notlua"));
  EXPECT_EQ(h.run({"EVAL_RO", "#!lua\nreturn 1", "0"}),
            error("ERR Can not execute a script with write flag using *_ro command."));
  EXPECT_EQ(h.run({"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"}), integer(1));
}

const char kLib[] =
    "#!lua name=mylib\n"
    "redis.register_function('f1', function(keys, args) return redis.call('get', keys[1]) "
    "end)\n"
    "redis.register_function{function_name='f2', callback=function(keys, args) return args[1] "
    "end, flags={'no-writes'}, description='desc'}\n"
    "redis.register_function('incr_it', function(keys) return redis.call('incr', keys[1]) "
    "end)\n";

TEST(Scripting, FunctionsAndFlags) {
  Harness h;
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", kLib}), bulk("mylib"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", kLib}), error("ERR Library 'mylib' already exists"));
  EXPECT_EQ(h.run({"SET", "a", "b"}), kOk);
  EXPECT_EQ(h.run({"FCALL", "f1", "1", "a"}, 1), bulk("b"));  // loaded lazily on worker 1
  EXPECT_EQ(h.run({"FCALL", "f2", "0", "hello"}), bulk("hello"));
  EXPECT_EQ(h.run({"FCALL_RO", "f2", "0", "hello"}), bulk("hello"));
  EXPECT_EQ(h.run({"FCALL_RO", "f1", "1", "a"}),
            error("ERR Can not execute a script with write flag using *_ro command."));
  EXPECT_EQ(h.run({"FCALL", "nosuch", "0"}), error("ERR Function not found"));
  EXPECT_EQ(h.run({"FCALL", "incr_it", "1", "cnt"}), integer(1));
  EXPECT_EQ(h.run({"FCALL", "incr_it", "1", "cnt"}, 1), integer(2));
  // Functions see no KEYS/ARGV globals.
  EXPECT_EQ(h.run({"FUNCTION", "LOAD",
                   "#!lua name=g\nredis.register_function('g', function() return KEYS end)"}),
            bulk("g"));
  EXPECT_NE(h.run({"FCALL", "g", "0"}).find("nonexistent global variable 'KEYS'"),
            std::string::npos);
  // A no-writes function refuses writes.
  EXPECT_EQ(h.run({"FUNCTION", "LOAD",
                   "#!lua name=ro\nredis.register_function{function_name='w', callback="
                   "function() return redis.call('set','x','1') end, flags={'no-writes'}}"}),
            bulk("ro"));
  EXPECT_NE(h.run({"FCALL", "w", "0"}).find("Write commands are not allowed from read-only"),
            std::string::npos);
  // Errors at load time.
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "return 1"}), error("ERR Missing library metadata"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "#!lua\nreturn 1"}),
            error("ERR Library name was not given"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "#!lua name=x\nreturn 1"}),
            error("ERR No functions registered"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "#!lua name=x\nredis.call('ping')"}),
            error("ERR Error registering functions: ERR user_function:2: Script attempted to "
                  "access nonexistent global variable 'call'"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD",
                   "#!lua name=x\nredis.register_function('f1', function() return 1 end)"}),
            error("ERR Function f1 already exists"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "#!lua name=x foo=bar\nreturn 1"}),
            error("ERR Invalid metadata value given: foo=bar"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "#!lua2 name=x\nreturn 1"}),
            error("ERR Engine 'lua2' not found"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD",
                   "#!lua name=x\nredis.register_function('g', "
                   "function() return 1 +"}),
            error("ERR Error compiling function: user_function:2: unexpected symbol near "
                  "'<eof>'"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD",
                   "#!lua name=x\nredis.register_function{function_name='g', callback="
                   "function() return 1 end, flags={'bad'}}"}),
            error("ERR Error registering functions: ERR unknown flag given"));
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end"}),
            error("ERR Error registering functions: ERR FUNCTION LOAD timeout"));
  // REPLACE, LIST, DELETE, STATS.
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", "REPLACE",
                   "#!lua name=g\nredis.register_function('g', function() return 7 end)"}),
            bulk("g"));
  EXPECT_EQ(h.run({"FCALL", "g", "0"}, 1), integer(7));
  EXPECT_EQ(h.run({"FUNCTION", "LIST", "LIBRARYNAME", "my*"}),
            arr(1) + arr(6) + bulk("library_name") + bulk("mylib") + bulk("engine") + bulk("LUA") +
                bulk("functions") + arr(3) + arr(6) + bulk("name") + bulk("incr_it") +
                bulk("description") + kNil + bulk("flags") + arr(0) + arr(6) + bulk("name") +
                bulk("f2") + bulk("description") + bulk("desc") + bulk("flags") + arr(1) +
                status("no-writes") + arr(6) + bulk("name") + bulk("f1") + bulk("description") +
                kNil + bulk("flags") + arr(0));
  EXPECT_EQ(h.run({"FUNCTION", "LIST", "bogus"}), error("ERR Unknown argument bogus"));
  EXPECT_EQ(h.run({"FUNCTION", "DELETE", "nolib"}), error("ERR Library not found"));
  EXPECT_EQ(h.run({"FUNCTION", "DELETE", "g"}), kOk);
  EXPECT_EQ(h.run({"FCALL", "g", "0"}, 1), error("ERR Function not found"));
  EXPECT_EQ(h.run({"FUNCTION", "STATS"}), arr(4) + bulk("running_script") + kNil + bulk("engines") +
                                              arr(2) + bulk("LUA") + arr(4) +
                                              bulk("libraries_count") + integer(2) +
                                              bulk("functions_count") + integer(4));
  EXPECT_EQ(h.run({"FUNCTION", "FLUSH", "bogus"}),
            error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"));
  EXPECT_EQ(h.run({"FUNCTION", "FLUSH"}), kOk);
  EXPECT_EQ(h.run({"FUNCTION", "LIST"}), arr(0));
}

TEST(Scripting, FunctionDumpRestore) {
  Harness h;
  EXPECT_EQ(h.run({"FUNCTION", "LOAD", kLib}), bulk("mylib"));
  std::string dump = h.run({"FUNCTION", "DUMP"});
  ASSERT_EQ(dump[0], '$');
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  EXPECT_EQ(uint8_t(payload[0]), 245);  // RDB_OPCODE_FUNCTION2
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", payload}), error("ERR Library 'mylib' already exists"));
  EXPECT_EQ(h.run({"FUNCTION", "FLUSH"}), kOk);
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", payload}), kOk);
  EXPECT_EQ(h.run({"FCALL", "f2", "0", "back"}, 1), bulk("back"));
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", payload, "REPLACE"}), kOk);
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", payload, "bogus"}),
            error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or "
                  "REPLACE."));
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", "abcdefghijklmnop"}),
            error("ERR DUMP payload version or checksum are wrong"));
  std::string bad = payload;
  bad[5] ^= 1;
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", bad}),
            error("ERR DUMP payload version or checksum are wrong"));
  // A payload written by redis-server 7.0.15 (its library code is LZF-compressed).
  std::string from_redis = from_hex(
      "f5c3407440801323216c7561206e616d653d72656469736c69620a6008182e72656769737465725f66756e63"
      "74696f6e282766726f6d5f601d02272c20e000161a6b6579732c2061726773292072657475726e20276c6f61"
      "646564204030201320570d2d7365727665722027202e2e202340320520656e64290a0a00df0f5f19673165d7");
  EXPECT_EQ(h.run({"FUNCTION", "RESTORE", from_redis, "FLUSH"}), kOk);
  EXPECT_EQ(h.run({"FCALL", "from_redis", "2", "a", "b"}), bulk("loaded from redis-server 2"));
  EXPECT_EQ(h.run({"FCALL", "f2", "0", "x"}), error("ERR Function not found"));

  // The RDB hooks: codes out, codes in (on another server).
  std::vector<std::string> codes = stmkv::scripting::function_library_codes(h.server());
  ASSERT_EQ(codes.size(), 1u);
  Harness other;
  EXPECT_EQ(stmkv::scripting::load_function_libraries(other.server(), other.server().worker(0),
                                                      codes, false),
            "");
  EXPECT_EQ(stmkv::scripting::load_function_libraries(other.server(), other.server().worker(0),
                                                      codes, false),
            "ERR Library 'redislib' already exists");
  EXPECT_EQ(other.run({"FCALL", "from_redis", "0"}, 1), bulk("loaded from redis-server 0"));
}

// Scripts doing read-modify-write on two keys race INCRs of the same keys on the other worker:
// every committed effect counts exactly once (aborts re-run the script from the start).
TEST(Scripting, ScriptsRacingIncrsStaySerializable) {
  Harness h(2, 2);
  const int kRounds = 3000;
  const std::string script =
      "local a = tonumber(redis.call('get', KEYS[1]) or '0')\n"
      "local b = tonumber(redis.call('get', KEYS[2]) or '0')\n"
      "redis.call('set', KEYS[1], a + 1)\n"
      "local ok = pcall(redis.call, 'incr', 'side')\n"  // pcall must not swallow aborts
      "redis.call('set', KEYS[2], b + 2)\n"
      "return a";
  std::thread other([&] {
    for (int i = 0; i < kRounds; ++i) {
      h.run({"INCR", "ka"}, 1);
      h.run({"INCRBY", "kb", "5"}, 1);
    }
  });
  for (int i = 0; i < kRounds; ++i) eval(h, script, {"2", "ka", "kb"}, 0);
  other.join();
  EXPECT_EQ(h.run({"GET", "ka"}), bulk(std::to_string(2 * kRounds)));
  EXPECT_EQ(h.run({"GET", "kb"}), bulk(std::to_string(7 * kRounds)));
  EXPECT_EQ(h.run({"GET", "side"}), bulk(std::to_string(kRounds)));
  stmkv::scripting::Scripting& s = stmkv::scripting::scripting_of(h.server());
  EXPECT_EQ(s.runs.load(), uint64_t(kRounds));
  // The race produced conflicts (aborted script attempts were re-run).
  RecordProperty("script_retries", std::to_string(s.retries.load()));
}

// SCRIPT KILL from a client of the other worker stops a running script that has not written;
// one that has written is UNKILLABLE.
TEST(Scripting, KillFromAnotherWorker) {
  Harness h(2, 2);
  EXPECT_EQ(h.run({"CONFIG", "SET", "busy-reply-threshold", "0"}, 1), kOk);
  std::string reply;
  std::thread runner([&] { reply = eval(h, "local i = 0 while true do i = i + 1 end", {"0"}, 0); });
  std::string kill;
  for (int i = 0; i < 100000; ++i) {
    kill = h.run({"SCRIPT", "KILL"}, 1);
    if (kill == kOk) break;
    EXPECT_EQ(kill, error("NOTBUSY No scripts in execution right now."));
    std::this_thread::yield();
  }
  runner.join();
  EXPECT_EQ(kill, kOk);
  EXPECT_EQ(reply, error("ERR Script killed by user with SCRIPT KILL... script: "
                         "3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1."));
  // A script that wrote cannot be killed; it runs to its end (a kill that came before its
  // first write is void after it).
  std::atomic<bool> done{false};
  std::thread writer([&] {
    reply = eval(h,
                 "redis.call('set', KEYS[1], 'v') local i = 0 while i < 20000000 do i = i + 1 "
                 "end return i",
                 {"1", "wk"}, 0);
    done = true;
  });
  bool unkillable = false;
  while (!unkillable && !done) {
    std::string k = h.run({"SCRIPT", "KILL"}, 1);
    unkillable = k.starts_with("-UNKILLABLE Sorry the script already executed write commands");
  }
  writer.join();
  EXPECT_TRUE(unkillable);
  EXPECT_EQ(reply, integer(20000000));
  EXPECT_EQ(h.run({"FUNCTION", "KILL"}, 1), error("NOTBUSY No scripts in execution right now."));
}

TEST(Scripting, CommandStatsCountScriptCommands) {
  Harness h;
  EXPECT_EQ(eval(h,
                 "redis.call('set','cs','1') redis.call('set','cs','2') "
                 "redis.pcall('lpush','cs','x') return redis.call('get','cs')"),
            bulk("2"));
  std::string info = h.run({"INFO", "commandstats"});
  EXPECT_NE(info.find("cmdstat_set:calls=2,"), std::string::npos) << info;
  EXPECT_NE(info.find("cmdstat_lpush:calls=1,"), std::string::npos) << info;
  EXPECT_NE(info.find("failed_calls=1"), std::string::npos) << info;
}

TEST(Scripting, AclAppliesToScriptCommands) {
  Harness h;
  EXPECT_EQ(h.run({"ACL", "SETUSER", "luak", "on", "nopass", "~ok*", "+eval", "+get"}), kOk);
  EXPECT_EQ(h.run({"AUTH", "luak", "x"}), kOk);
  EXPECT_EQ(eval(h, "return redis.call('set','a','b')"),
            error("ERR The user executing the script can't run this command or subcommand "
                  "script: ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1."));
  EXPECT_EQ(eval(h, "return redis.pcall('get','nok')"),
            error("ERR The user executing the script can't access at least one of the keys "
                  "mentioned in the command arguments"));
  EXPECT_EQ(eval(h, "return redis.call('get','ok1')"), kNil);
  std::string log = h.run({"ACL", "LOG", "1"}, 1);
  EXPECT_NE(log.find(bulk("lua")), std::string::npos) << log;
  EXPECT_NE(log.find(bulk("nok")), std::string::npos) << log;
}

TEST(Scripting, ScriptsInsideMultiExec) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"EXEC"}), arr(2) + integer(1) + integer(2));
}

}  // namespace
