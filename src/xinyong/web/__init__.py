"""The public portal: server-rendered pages in Simplified Chinese, with an English switch."""
