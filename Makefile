# The README's two commands. Both install what a fresh machine lacks first.
.PHONY: demo test bench deb deb-test

demo:
	@bash .ci/setup
	swift build --product mangrove-sim
	swift run mangrove-scheduler demo

test:
	bash .ci/run

bench:
	@bash .ci/setup
	bash Benchmarks/run.sh

# The Debian package: .build/deb/mangrove-scheduler_VERSION_ARCH.deb (deploy/make-deb.sh).
deb:
	@bash .ci/setup --deb
	bash deploy/make-deb.sh

# make deb, lintian, the binary without /opt/swift, and the package under a real systemd (root).
deb-test:
	@bash .ci/setup --deb
	MANGROVE_DEB_TEST=1 bash Tests/systemd/deb-test.sh
