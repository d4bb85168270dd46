.PHONY: demo test lint reference demo-data

demo:
	python3 -m pip install . && python3 -m reportgen build

test:
	bash scripts/test.sh

lint:
	ruff check . && ruff format --check . && mypy

reference:
	python3 -m reportgen.spec.reference docs/spec-reference.md

demo-data:
	python3 -m reportgen.demo --seed 1 --events 30000 --out report_specs/data
	python3 -m reportgen.demo --seed 1 --scaling 32,64,128,256 --out report_specs/scaling-data
