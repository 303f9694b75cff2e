# Replay of the fuzz corpora in the ordinary test suite, with the normal
# compiler (and the sanitizers in a -DMRFABRIC_SANITIZE=ON build): each
# target's LLVMFuzzerTestOneInput() linked with tests/fuzz/replay.c into
# fuzz_replay_<target>, run as a ctest over tests/fuzz/corpus/<target>.
# Included from tests/CMakeLists.txt when the libraries it needs exist.
set(FUZZ_REPLAY_TARGETS fmp chassis vcfg)
if(TARGET mgmt)
  list(APPEND FUZZ_REPLAY_TARGETS rest)
endif()
foreach(target ${FUZZ_REPLAY_TARGETS})
  add_executable(fuzz_replay_${target}
    ${CMAKE_CURRENT_LIST_DIR}/replay.c
    ${CMAKE_CURRENT_LIST_DIR}/fuzz_${target}.c)
  target_compile_definitions(fuzz_replay_${target} PRIVATE
    MRFABRIC_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(target STREQUAL "rest")
    target_link_libraries(fuzz_replay_${target} PRIVATE mgmt)
  endif()
  target_link_libraries(fuzz_replay_${target} PRIVATE sim switchfw)
  add_test(NAME fuzz_replay_${target}
           COMMAND fuzz_replay_${target} ${CMAKE_CURRENT_LIST_DIR}/corpus/${target})
  set_tests_properties(fuzz_replay_${target} PROPERTIES LABELS fuzz TIMEOUT 600)
endforeach()
