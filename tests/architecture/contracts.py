"""An import-linter contract type: capabilities import one another only through the interface
each declares (its ``api`` module), never its models, services or views.

import-linter's own ``layers`` contract checks the direction (nothing imports upward); this one
checks the door. It looks at direct imports only: an interface may of course use its own
capability's internals. Configured in pyproject.toml::

    [[tool.importlinter.contracts]]
    name = "Capabilities talk through their api modules"
    type = "interfaces"
    capabilities = ["summit.registration", "summit.checkin", ...]
    interface = "api"
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class InterfacesContract(Contract):
    type_name = "interfaces"

    capabilities = fields.ListField(subfield=fields.StringField())
    interface = fields.StringField()

    def check(self, graph, verbose: bool) -> ContractCheck:
        capabilities = list(self.capabilities)  # type: ignore[arg-type]
        allowed = {f"{c}.{self.interface}" for c in capabilities} | set(capabilities)

        def owner(module: str) -> str | None:
            return next((c for c in capabilities if module == c or module.startswith(c + ".")),
                        None)

        broken = []
        for importer in sorted(graph.modules):
            source = owner(importer)
            if source is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = owner(imported)
                if target is None or target == source or imported in allowed:
                    continue
                lines = sorted({d["line_number"] for d in graph.get_import_details(
                    importer=importer, imported=imported)})
                broken.append((importer, imported, lines))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(f"{importer} imports {imported} ({where}); use "
                               f"{imported.rsplit('.', 1)[0]}.{self.interface}")
            output.new_line()
