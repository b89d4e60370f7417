"""Text: tokenizers, an n-gram baseline, perplexity, corpora and sampling."""

from .corpus import load_corpus, load_offline_corpus, random_windows, sequential_windows, split_ids, tiny_shakespeare
from .ngram import NGramLM, perplexity
from .sampling import filter_logits, greedy, sample
from .tokenizers import BPETokenizer, CharTokenizer

__all__ = [
    "BPETokenizer", "CharTokenizer", "NGramLM", "filter_logits", "greedy", "load_corpus", "load_offline_corpus",
    "perplexity", "random_windows", "sample", "sequential_windows", "split_ids", "tiny_shakespeare",
]
