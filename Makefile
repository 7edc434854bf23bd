# The README's two commands. Both install what a fresh machine lacks first.
.PHONY: demo test bench

demo:
	@bash .ci/setup
	swift build --product mangrove-sim
	swift run mangrove-scheduler demo

test:
	bash .ci/run

bench:
	@bash .ci/setup
	bash Benchmarks/run.sh
