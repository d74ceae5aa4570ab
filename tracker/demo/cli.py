import click


@click.group("demo", help="Fictional demo data.")
def demo_cli():
    pass
