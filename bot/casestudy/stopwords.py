"""Words that carry no topic, in folded form (see `bot.feeds.text.tokens`), French and English.

Key terms and sentence similarity ignore them; both languages are always removed because articles
mix them ("le social recruiting", "the French 'alternance'").
"""

from __future__ import annotations

_FRENCH = """
a ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais aurait
auras aurez auriez aurons auront aussi autant autre autres aux auxquelles auxquels avaient avais
avait avant avec avez aviez avions avoir avons ayant ayez ayons bien c ca car ce ceci cela celle
celles celui cependant certain certaine certaines certains ces cet cette ceux chaque chez ci comme
comment d dans de des deja depuis donc dont du elle elles en encore entre es est et etaient etais
etait etant ete etes etiez etions etre eu eue eues eurent eus eut eux fait faire fais faut font fut
grace ici il ils j je jusqu jusque l la laquelle le lequel les lesquelles lesquels leur leurs lors
lorsque lui m ma mais me meme memes mes moi moins mon n ne ni non nos notre nous on ont ou par parce
parmi pas peu peut peuvent plus plupart pour pourquoi pourtant qu quand que quel quelle quelles
quels qui quoi s sa sans se selon sera serai seraient serais serait seras serez seriez serons seront
ses si sien sienne soi soient sois soit sommes son sont sous suis sur t ta tandis te tes toi ton
tous tout toute toutes tres tu un une unes uns v vers voici voila vos votre vous y cet deux trois
aussi ainsi apres avant toujours jamais souvent selon dit explique ajoute estime precise
egalement notamment plusieurs entre autres chez nombre part fois ans annee annees jour jours
"""

_ENGLISH = """
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don down
during each few for from further had hadn has hasn have haven having he her here hers herself him
himself his how however i if in into is isn it its itself just let ll me more most much must my
myself no nor not now of off on once only or other our ours ourselves out over own re s said says
same she should shouldn so some such t than that the their theirs them themselves then there these
they this those through to too under until up very was wasn we were weren what when where which
while who whom why will with won would wouldn you your yours yourself yourselves also like one two
three many may might new according says told per via get got make made use used even still yet
year years day days
"""

STOPWORDS = frozenset(_FRENCH.split()) | frozenset(_ENGLISH.split())
