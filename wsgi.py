import gc

from tracker import create_app

app = create_app()
# The ~200,000 objects of a started app live as long as the process: out of the collector's reach, a full
# collection no longer walks them (about 115 ms, once every hundred requests on the benchmark's pages).
gc.collect()
gc.freeze()
