# mrfabric_embed(TARGET_VAR SYMBOL FILE): generate a C source that holds
# FILE as a NUL-terminated string `const char SYMBOL[]`, rebuilt when FILE
# changes.  The name of the generated source is stored in TARGET_VAR.
set(MRFABRIC_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_file.cmake)

function(mrfabric_embed out_var symbol file)
  set(out ${PROJECT_BINARY_DIR}/embedded/${symbol}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DSYMBOL=${symbol}
            -P ${MRFABRIC_EMBED_SCRIPT}
    DEPENDS ${file} ${MRFABRIC_EMBED_SCRIPT}
    COMMENT "Embedding ${file} as ${symbol}")
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
