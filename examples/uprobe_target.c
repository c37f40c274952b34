/* The small program examples/uprobe.ks probes: `uprobe_target A B` calls
 * add_numbers(A, B) once and prints the sum. Build: gcc -O1 -g -o uprobe_target uprobe_target.c */
#include <stdio.h>
#include <stdlib.h>

/* noinline: the call must stay a call, or there is no function entry to probe. */
__attribute__((noinline)) long add_numbers(long a, long b)
{
    return a + b;
}

int main(int argc, char **argv)
{
    long a = argc > 1 ? strtol(argv[1], NULL, 0) : 2;
    long b = argc > 2 ? strtol(argv[2], NULL, 0) : 3;
    printf("%ld\n", add_numbers(a, b));
    return 0;
}
