from odoo.tests import BaseCase, tagged

from odoo.addons.ml_connector.tools.items import content_hash
from odoo.addons.ml_connector.tools.text import (
    bounded_key,
    document_problems,
    has_visible_text,
    identifier_problem,
    storable,
    text_problem,
)


@tagged("post_install", "-at_install")
class TestText(BaseCase):
    def test_storable_keeps_what_postgresql_refuses_as_escapes(self):
        self.assertEqual(storable("a\x00b"), "a\\u0000b")
        self.assertEqual(storable("a\ud800b"), "a\\ud800b")
        self.assertEqual(storable("caf\u00e9 \U0001f600"), "caf\u00e9 \U0001f600")
        self.assertIs(storable(False), False)
        "".join([storable("x\udc00\x00")]).encode("utf-8")  # no UnicodeEncodeError

    def test_bounded_keys_stay_apart(self):
        self.assertEqual(bounded_key("850:TP:PO-1"), "850:TP:PO-1")
        first, second = bounded_key("A" * 5000 + "1"), bounded_key("A" * 5000 + "2")
        self.assertEqual(len(first), 200)
        self.assertNotEqual(first, second)
        self.assertEqual(first, bounded_key("A" * 5000 + "1"), "the same key gives the same bounded key")

    def test_problems(self):
        self.assertIsNone(text_problem("Hebrew \u05e1 \u200f, tab\tand newline\n"))
        self.assertIn("NUL", text_problem("a\x00"))
        self.assertIn("U+DFFF", text_problem("\udfff"))
        self.assertIn("U+0007", text_problem("bell\x07"))
        self.assertIn("invisible characters (U+202E)", identifier_problem("PO-\u202e1"))
        self.assertIn("81 characters", identifier_problem("9" * 81))
        self.assertIsNone(identifier_problem("PO-0001/A"))
        self.assertFalse(has_visible_text("\u200b\u200d \u2060"))
        self.assertTrue(has_visible_text("\u200f\u05e1"))
        self.assertEqual(
            document_problems({"header": {"name": "x\x00"}, "lines": [{"d": "ok"}, {"d": "\ud800"}]}),
            [
                "$.header.name: contains a NUL character (U+0000), which cannot be stored",
                "$.lines[1].d: contains an unpaired surrogate (U+D800), which is not valid Unicode",
            ],
        )

    def test_content_hash_of_a_document_with_an_unpaired_surrogate(self):
        self.assertNotEqual(content_hash({"name": "\ud800"}), content_hash({"name": "\ud801"}))
