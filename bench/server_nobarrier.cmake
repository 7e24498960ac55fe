# stmkv-server-nobarrier: the server's sources compiled again against the barrier-free,
# single-executor engine (library stm_baseline, STM_NO_BARRIERS), for bench/compare.py
# --baseline-bin: the "STM build / barrier-free build" CPU ratio of issue 6. It runs with
# --workers 1 only (the baseline throws on a second worker).
#
# Included from src/CMakeLists.txt through cmake_language(DEFER), i.e. at the end of that
# directory, so it copies server_core's final sources, options and libraries (with stm replaced
# by stm_baseline) and sees the imported targets declared there. EXCLUDE_FROM_ALL: it compiles
# every server source a second time, so it is built only on request:
#   ninja -C <build> stmkv-server-nobarrier
get_target_property(_nb_sources server_core SOURCES)
get_target_property(_nb_dir server_core SOURCE_DIR)
set(_nb_abs_sources "")
foreach(_s IN LISTS _nb_sources)
  if(IS_ABSOLUTE "${_s}")
    list(APPEND _nb_abs_sources "${_s}")
  else()
    list(APPEND _nb_abs_sources "${_nb_dir}/${_s}")
  endif()
endforeach()
add_executable(stmkv-server-nobarrier EXCLUDE_FROM_ALL ${_nb_abs_sources} ${_nb_dir}/main.cc)
foreach(_prop COMPILE_OPTIONS COMPILE_DEFINITIONS INCLUDE_DIRECTORIES)
  get_target_property(_v server_core ${_prop})
  if(_v)
    set_property(TARGET stmkv-server-nobarrier APPEND PROPERTY ${_prop} "${_v}")
  endif()
endforeach()
get_target_property(_nb_libs server_core LINK_LIBRARIES)
list(TRANSFORM _nb_libs REPLACE "^stm$" "stm_baseline")
target_link_libraries(stmkv-server-nobarrier PRIVATE ${_nb_libs})
