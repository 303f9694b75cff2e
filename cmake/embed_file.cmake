# Run with -DIN= -DOUT= -DSYMBOL=; writes a C array holding IN plus a NUL.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n\t" hex "${hex}")
file(WRITE ${OUT} "/* generated from ${IN}; do not edit */\n#include <stddef.h>\nconst char ${SYMBOL}[] = {\n\t${hex}0x00\n};\nconst size_t ${SYMBOL}_len = sizeof(${SYMBOL}) - 1;\n")
