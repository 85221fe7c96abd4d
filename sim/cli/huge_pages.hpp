#pragma once
// Transparent huge pages for the simulator's heap. A 100k-GPU run allocates 2-4 GB in small
// pieces (SimGrid links, actor stacks, flows); with 4 KiB pages that is half a million page
// faults, several seconds of a 10 s run on virtual machines that back memory lazily. Where the
// kernel offers THP on request (`madvise` mode, common on Ubuntu and cloud images), glibc 2.35+
// asks for it when the tunable glibc.malloc.hugetlb=1 is set — which only takes effect at
// process start, so gigasim re-executes itself once with it set. GIGASIM_HUGEPAGES=0 turns this
// off; it does nothing where THP is `always` (already on) or `never`.

namespace gigasim {

/// Re-executes the process with the tunable set when that helps; returns if it does not.
void maybe_reexec_with_huge_pages(char** argv);

}  // namespace gigasim
