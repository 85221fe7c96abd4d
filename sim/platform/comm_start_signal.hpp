#pragma once
// The moment SimGrid starts a communication, for telling flows apart. SimGrid asks our routing
// zone for a flow's route while it starts the flow and fires its kernel's CommImpl::on_start
// right after, in the same call; s4u has no such signal in 3.32 (s4u::Comm::on_start is
// declared but never fired). Pairing the two gives each started comm the route it got, so a
// flow's end is matched to its own route even when several flows of one GPU pair, on different
// ECMP paths, are in flight and end out of order. Like FabricZone, this relies on SimGrid 3.32's
// kernel (the signal is exported by libsimgrid but declared in a private header).

#include <functional>

namespace gigasim {

/// Calls `cb(comm)` for every communication SimGrid starts from now on, `comm` the address of its
/// kernel object: what `s4u::Comm::get_impl()` returns for either side of it.
void on_comm_start(std::function<void(const void* comm)> cb);

}  // namespace gigasim
