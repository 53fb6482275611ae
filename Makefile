# Radicador: `make run` opens the station, `make test` runs every test.
# Both first install the Debian packages they need (see scripts/deps.sh).

# Build and run: cgo for Tesseract, Leptonica and SANE; GL and X for Fyne.
DEPS_BUILD := gcc pkg-config tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng \
	libtesseract-dev libleptonica-dev libsane-dev sane-utils libgl1-mesa-dev xorg-dev wspanish
# Tests also use a virtual display, poppler's PDF tools, sane-airscan
# (a real eSCL client for the scanner simulator), iproute2 for the
# network namespaces of the emulated branch link, and Chromium for the
# console's tests in a real browser.
DEPS_TEST := $(DEPS_BUILD) xvfb xauth poppler-utils sane-airscan postgresql cups cups-client iproute2 chromium opensmtpd dovecot-imapd
# The branch-link benchmark compares sync with curl; the console's runs on PostgreSQL too.
DEPS_BENCH := $(DEPS_BUILD) iproute2 curl postgresql

GO ?= go
export PATH := $(PATH):/usr/local/go/bin
export CGO_ENABLED := 1

.PHONY: run test bench build package deps-build deps-test deps-bench clean

# The fyne command line tool, for packaging; its own module graph, so that
# it does not move the app's Fyne version.
FYNE_TOOL_VERSION := v1.7.4

run: deps-build
	$(GO) run ./cmd/radicador

# RADICADOR_STRICT makes a test fail, not skip, when a tool it needs is
# missing: make test installs them all, and starts a throwaway PostgreSQL
# server for the central store's conformance suite (stopped afterwards).
# The race detector runs over the packages with goroutines of their own
# (the crash test's children are other processes, too slow to start under
# it to be killed in time). The accuracy tests run on the shared test
# letters when they lie beside the project (../shared/corpus/letters).
# TWAIN and the Windows spooler cannot run here: their packages must at
# least build for Windows, and the TWAIN structures are checked for 32-bit
# Windows too.
test: deps-test
	$(GO) vet ./...
	@pg=$$(mktemp -d /tmp/radicador-pg.XXXXXX); \
	url=$$(sh scripts/pg-test.sh start $$pg) || { sh scripts/pg-test.sh stop $$pg; exit 1; }; \
	echo "PostgreSQL for the tests at $$url"; \
	corpus=$$(cd ../shared/corpus/letters 2>/dev/null && pwd); \
	if [ -n "$$corpus" ]; then echo "Test letters at $$corpus: the accuracy tests run on them"; \
	else echo "No test letters at ../shared/corpus/letters: the accuracy tests are skipped"; fi; \
	RADICADOR_STRICT=1 RADICADOR_TEST_PG="$$url" RADICADOR_CORPUS="$$corpus" $(GO) test -timeout 30m ./...; status=$$?; \
	sh scripts/pg-test.sh stop $$pg; exit $$status
	$(GO) test -race -short -skip 'TestCrash$$' ./station/ ./store/ ./sync/... ./ui/ ./capture/ ./central/... ./console/ ./alerting/
	$(GO) test -run '^$$' -fuzz FuzzPushCheck -fuzztime 200000x ./sync/wire/
	$(GO) test -run '^$$' -fuzz FuzzChunkHeaders -fuzztime 15000x ./sync/server/
	GOOS=windows GOARCH=amd64 $(GO) build ./scan/... ./printer/... ./label/ ./capture/
	GOOS=windows GOARCH=386 $(GO) build ./scan/... ./printer/... ./label/ ./capture/
	CGO_ENABLED=0 GOARCH=386 $(GO) test ./scan/twain/
	@echo "Screenshots of every screen (the app under Xvfb): artefacts/screens/"
	$(MAKE) --no-print-directory package

# Benchmarks behind the README's figures (not part of make test: they build
# stores of 100,000 radicados).
bench: deps-bench
	$(GO) test -run '^$$' -bench . -skip ClassifyAfterRadicacion -benchtime 2000x -timeout 60m ./store/ ./station/
	$(GO) test -run '^$$' -bench ClassifyAfterRadicacion -benchtime 10x -timeout 60m ./station/
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./ocr/ ./scan/escl/ ./sync/client/
	$(GO) test -run '^$$' -bench Startup -benchtime 20x -timeout 60m ./ui/ ./cmd/radicador/
	@pg=$$(mktemp -d /tmp/radicador-pg.XXXXXX); \
	url=$$(sh scripts/pg-test.sh start $$pg) || { sh scripts/pg-test.sh stop $$pg; exit 1; }; \
	RADICADOR_TEST_PG="$$url" $(GO) test -run '^$$' -bench Console -benchtime 200x -timeout 90m ./central/ && \
	RADICADOR_TEST_PG="$$url" $(GO) test -run '^$$' -bench Dashboard -benchtime 30x -timeout 90m ./central/; status=$$?; \
	sh scripts/pg-test.sh stop $$pg; exit $$status

build: deps-build
	$(GO) build -o bin/radicador ./cmd/radicador

# A Linux package (Radicador.tar.xz: the binary, its .desktop entry and
# icon, and a Makefile that installs them) from FyneApp.toml.
package: build
	GOBIN=$(CURDIR)/bin $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOL_VERSION)
	bin/fyne package -os linux --exe bin/radicador --release
	@tar tJf Radicador.tar.xz > bin/package-contents.txt
	@grep -q 'usr/local/bin/radicador$$' bin/package-contents.txt && \
	 grep -q 'applications/co.radicador.estacion.desktop$$' bin/package-contents.txt && \
	 grep -q 'pixmaps/co.radicador.estacion.png$$' bin/package-contents.txt && \
	 echo "Radicador.tar.xz: binary, desktop entry and icon" || { echo "Radicador.tar.xz is incomplete"; exit 1; }

deps-build:
	@sh scripts/deps.sh $(DEPS_BUILD)

deps-test:
	@sh scripts/deps.sh $(DEPS_TEST)

deps-bench:
	@sh scripts/deps.sh $(DEPS_BENCH)

clean:
	rm -rf bin artefacts Radicador.tar.xz
