import click


@click.group("import", help="Import data from spreadsheets.")
def import_cli():
    pass
