# Radicador: `make run` opens the station, `make test` runs every test.
# Both first install the Debian packages they need (see scripts/deps.sh).

# Build and run: cgo for Tesseract, Leptonica and SANE; GL and X for Fyne.
DEPS_BUILD := gcc pkg-config tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng \
	libtesseract-dev libleptonica-dev libsane-dev sane-utils libgl1-mesa-dev xorg-dev
# Tests also use a virtual display and poppler's PDF tools.
DEPS_TEST := $(DEPS_BUILD) xvfb xauth poppler-utils

GO ?= go
export PATH := $(PATH):/usr/local/go/bin
export CGO_ENABLED := 1

.PHONY: run test bench build deps-build deps-test clean

run: deps-build
	$(GO) run ./cmd/radicador

test: deps-test
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...

# Benchmarks behind the README's figures (not part of make test: they build
# stores of 100,000 radicados).
bench: deps-build
	$(GO) test -run '^$$' -bench . -benchtime 2000x -timeout 60m ./store/ ./station/

build: deps-build
	$(GO) build -o bin/radicador ./cmd/radicador

deps-build:
	@sh scripts/deps.sh $(DEPS_BUILD)

deps-test:
	@sh scripts/deps.sh $(DEPS_TEST)

clean:
	rm -rf bin
