#include <doctest/doctest.h>

#include "sim/core/units.hpp"

using namespace gigasim;

TEST_CASE("bandwidth units: bits and bytes") {
  CHECK(parse_bandwidth("400Gbps") == doctest::Approx(50e9));
  CHECK(parse_bandwidth("400 Gb/s") == doctest::Approx(50e9));
  CHECK(parse_bandwidth("50GBps") == doctest::Approx(50e9));
  CHECK(parse_bandwidth("50 GB/s") == doctest::Approx(50e9));
  CHECK(parse_bandwidth("1GiBps") == doctest::Approx(1073741824.0));
  CHECK(parse_bandwidth("100Mbps") == doctest::Approx(12.5e6));
  CHECK(parse_bandwidth("1e9") == doctest::Approx(1e9));
  CHECK(parse_bandwidth("1.6Tbps") == doctest::Approx(200e9));
}

TEST_CASE("durations") {
  CHECK(parse_duration("1us") == doctest::Approx(1e-6));
  CHECK(parse_duration("1.5 ms") == doctest::Approx(1.5e-3));
  CHECK(parse_duration("250ns") == doctest::Approx(250e-9));
  CHECK(parse_duration("2s") == doctest::Approx(2.0));
  CHECK(parse_duration("3") == doctest::Approx(3.0));
  CHECK(parse_duration("1h") == doctest::Approx(3600.0));
  CHECK(parse_duration("60min") == doctest::Approx(3600.0));
  CHECK(parse_duration("1.5h") == doctest::Approx(5400.0));
  CHECK(parse_duration("30s") == doctest::Approx(30.0));
  CHECK(parse_duration("2d") == doctest::Approx(172800.0));
  CHECK(parse_duration("10 min") == doctest::Approx(600.0));
}

TEST_CASE("sizes: decimal, binary and nccl-tests shorthand") {
  CHECK(parse_bytes("1GiB") == 1073741824.0);
  CHECK(parse_bytes("1GB") == 1e9);
  CHECK(parse_bytes("8G") == 8.0 * 1073741824.0);
  CHECK(parse_bytes("25MiB") == 25.0 * 1048576.0);
  CHECK(parse_bytes("8") == 8.0);
  CHECK(parse_bytes("512 KiB") == 524288.0);
}

TEST_CASE("compute rates and FLOP counts") {
  CHECK(parse_flop_rate("989.4TFLOPS") == doctest::Approx(989.4e12));
  CHECK(parse_flop_rate("312 TFLOP/s") == doctest::Approx(312e12));
  CHECK(parse_flops("3.6PFLOP") == doctest::Approx(3.6e15));
}

TEST_CASE("bad units are refused with the accepted forms") {
  CHECK_THROWS_AS(parse_bandwidth("400Gbpss"), UnitError);
  CHECK_THROWS_AS(parse_bandwidth("fast"), UnitError);
  CHECK_THROWS_AS(parse_bandwidth(""), UnitError);
  CHECK_THROWS_AS(parse_duration("1 fortnight"), UnitError);
  CHECK_THROWS_AS(parse_duration("60 parsecs"), UnitError);
  CHECK_THROWS_AS(parse_bytes("1 GiBs"), UnitError);
  try {
    parse_bandwidth("10 furlongs");
    FAIL("expected UnitError");
  } catch (const UnitError& e) {
    CHECK(std::string(e.what()).find("Gbps") != std::string::npos);
  }
}

TEST_CASE("human-readable formatting") {
  CHECK(format_bytes(1073741824.0) == "1.00 GiB");
  CHECK(format_duration(1.5e-3) == "1.5 ms");
  CHECK(format_bandwidth(50e9) == "400 Gb/s (50 GB/s)");
}
